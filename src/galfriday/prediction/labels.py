"""Cost-aware labels: "up" means a long trade entered on the next bar would have paid its fees.

Round-trip costs (2 × 0.26 % taker by default) exceed the seed design's 0.1 % move, so a label that
ignores them teaches a model to predict trades that lose money (DESIGN §7). Two definitions:

- ``forward``: up when the return from the next bar's open to the close ``horizon`` bars later
  beats round-trip fees plus a margin: ``close[t+h] / open[t+1] - 1 > 2 × fee + margin``.
- ``triple_barrier``: a long entered at ``open[t+1]`` with a take-profit and a stop-loss; the first
  barrier touched (by the bars' high/low) within ``horizon`` bars decides. When one bar touches
  both, the stop is assumed to have come first (pessimistic: a bar's high/low do not say which
  came first). If neither is touched the time barrier applies: up when the close at ``t+h`` beats
  fees plus margin, as in ``forward``.

No look-ahead: the label of bar ``t`` reads bars ``t+1 … t+h`` only, while the features of bar ``t``
read bars up to ``t``; a bar whose label window runs past the data has no label (NaN) and is
dropped from training. Entering at the next bar's open is what a signal computed at the close of
bar ``t`` can actually get; the mini-backtest (``backtest``) trades the same way.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

import numpy as np

from galfriday.config.sections.risk import ExecutionSettings
from galfriday.prediction.errors import DatasetError

DEFAULT_TAKER_FEE = float(ExecutionSettings().taker_fee)  # 0.26 %, DESIGN §7


class LabelKind(enum.StrEnum):
    FORWARD = "forward"
    TRIPLE_BARRIER = "triple_barrier"


@dataclass(frozen=True)
class LabelSpec:
    """How a bar is labelled. Fractions, not percent: 0.0026 = 0.26 %."""

    kind: LabelKind = LabelKind.FORWARD
    horizon: int = 12  # bars after the signal bar
    fee_rate: float = DEFAULT_TAKER_FEE  # per leg
    margin: float = 0.001  # required on top of the fees
    take_profit: float = 0.04  # triple barrier only (StrategySettings.tp_pct)
    stop_loss: float = 0.02  # triple barrier only (StrategySettings.sl_pct)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", LabelKind(self.kind))
        if isinstance(self.horizon, bool) or not isinstance(self.horizon, int) or self.horizon < 1:
            raise DatasetError(f"label horizon must be a whole number of bars >= 1, got {self.horizon!r}")
        if self.fee_rate < 0 or self.margin < 0:
            raise DatasetError("label fee_rate and margin must be >= 0 (fractions: 0.0026 = 0.26 %)")
        if self.kind is LabelKind.TRIPLE_BARRIER:
            if not 0 < self.stop_loss < 1:
                raise DatasetError(f"stop_loss must be between 0 and 1 (0.02 = 2 %), got {self.stop_loss}")
            if self.take_profit <= self.threshold:
                raise DatasetError(
                    f"take_profit {self.take_profit} does not beat round-trip fees plus margin "
                    f"({self.threshold:.4f}): every 'up' label would be a losing trade; raise it"
                )

    @property
    def round_trip(self) -> float:
        return 2 * self.fee_rate

    @property
    def threshold(self) -> float:
        """The return from entry an "up" trade must beat: round-trip fees plus margin."""
        return self.round_trip + self.margin

    @cached_property
    def target(self) -> str:
        """The prediction target this label defines, as recorded with models and predictions
        (worked out once: the prediction service reads it for every bar)."""
        fee, margin = _bps(self.round_trip), _bps(self.margin)
        if self.kind is LabelKind.FORWARD:
            return f"up_h{self.horizon}_fee{fee}_m{margin}"
        return f"tb_h{self.horizon}_tp{_bps(self.take_profit)}_sl{_bps(self.stop_loss)}_fee{fee}_m{margin}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"kind": self.kind.value, "target": self.target}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabelSpec:
        return cls(**{k: v for k, v in data.items() if k != "target"})


def _bps(fraction: float) -> str:
    return f"{fraction * 10_000:g}".replace(".", "p")


def make_labels(
    open_: np.ndarray, high: np.ndarray, low: np.ndarray, close: np.ndarray, spec: LabelSpec
) -> np.ndarray:
    """1.0 (up), 0.0 (not up) or NaN (label window past the data) for every bar."""
    if spec.kind is LabelKind.FORWARD:
        return forward_labels(open_, close, spec)
    return triple_barrier_labels(open_, high, low, close, spec)


def forward_labels(open_: np.ndarray, close: np.ndarray, spec: LabelSpec) -> np.ndarray:
    n, h = len(close), spec.horizon
    labels = np.full(n, np.nan)
    if n > h:
        entry = open_[1 : n - h + 1]
        exit_ = close[h:]
        labels[: n - h] = (exit_ / entry - 1.0 > spec.threshold).astype(float)
    return labels


def triple_barrier_labels(
    open_: np.ndarray, high: np.ndarray, low: np.ndarray, close: np.ndarray, spec: LabelSpec
) -> np.ndarray:
    n, h = len(close), spec.horizon
    labels = np.full(n, np.nan)
    m = n - h  # bars with a complete label window
    if m <= 0:
        return labels
    entry = open_[1 : m + 1]
    take, stop = entry * (1 + spec.take_profit), entry * (1 - spec.stop_loss)
    decided = np.zeros(m, dtype=bool)
    result = np.zeros(m)
    for k in range(1, h + 1):  # bar t+k for every t at once
        hit_stop = ~decided & (low[k : m + k] <= stop)
        hit_take = ~decided & ~hit_stop & (high[k : m + k] >= take)  # a tie is a stop
        result[hit_take] = 1.0
        decided |= hit_stop | hit_take
    timed_out = ~decided
    result[timed_out] = (close[h:][timed_out] / entry[timed_out] - 1.0 > spec.threshold).astype(float)
    labels[:m] = result
    return labels

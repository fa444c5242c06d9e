"""Relative Strength Index, Wilder's smoothing seeded as TA-Lib does.

The average gain and loss are first the plain means of the first ``period`` changes (so the first
RSI is at index ``period``), then Wilder-smoothed. RSI = 100·G/(G+L).

One deliberate difference from TA-Lib: when G+L is exactly 0 (``period`` bars without a single price
change, e.g. synthetic bars of a quiet market) TA-Lib returns 0, "maximally oversold"; this returns
50, neutral, so a model is not told a flat market is crashing.
"""

from __future__ import annotations

import math

import numpy as np

from galfriday.features.indicators.recurrence import smooth, wilder_coefficients

NEUTRAL_RSI = 50.0


def _rsi(gain: float, loss: float) -> float:
    total = gain + loss
    return 100.0 * (gain / total) if total != 0 else NEUTRAL_RSI


class RSI:
    """Streaming RSI; ``value`` is None for the first ``period`` values."""

    __slots__ = ("_decay", "_gain_k", "_gains", "_losses", "_prev", "avg_gain", "avg_loss", "period")

    def __init__(self, period: int) -> None:
        if period < 2:
            raise ValueError(f"period must be >= 2, got {period}")
        self.period = period
        self._gain_k, self._decay = wilder_coefficients(period)
        self._prev: float | None = None
        self._gains: list[float] | None = []
        self._losses: list[float] = []
        self.avg_gain = math.nan
        self.avg_loss = math.nan

    def update(self, x: float) -> None:
        prev = self._prev
        self._prev = x
        if prev is None:  # first value: no change yet
            return
        change = x - prev
        gain = change if change > 0 else 0.0
        loss = -change if change < 0 else 0.0
        gains = self._gains
        if gains is None:
            k = self._gain_k
            self.avg_gain = self._decay * self.avg_gain + k * gain
            self.avg_loss = self._decay * self.avg_loss + k * loss
            return
        gains.append(gain)
        self._losses.append(loss)
        if len(gains) == self.period:
            self.avg_gain = math.fsum(gains) / self.period
            self.avg_loss = math.fsum(self._losses) / self.period
            self._gains = None
            self._losses = []

    @property
    def warm(self) -> bool:
        return self._gains is None

    @property
    def value(self) -> float | None:
        return _rsi(self.avg_gain, self.avg_loss) if self._gains is None else None


def rsi(x: np.ndarray, period: int) -> np.ndarray:
    """Batch twin of ``RSI``."""
    if period < 2:
        raise ValueError(f"period must be >= 2, got {period}")
    x = np.asarray(x, dtype=np.float64)
    out = np.full(len(x), np.nan)
    if len(x) <= period:
        return out
    change = x[1:] - x[:-1]
    gains = np.where(change > 0, change, 0.0)
    losses = np.where(change < 0, -change, 0.0)
    k, decay = wilder_coefficients(period)
    avg_gain = np.empty(len(change) - period + 1)
    avg_loss = np.empty_like(avg_gain)
    avg_gain[0] = math.fsum(gains[:period].tolist()) / period
    avg_loss[0] = math.fsum(losses[:period].tolist()) / period
    avg_gain[1:] = smooth(k * gains[period:], decay, avg_gain[0])
    avg_loss[1:] = smooth(k * losses[period:], decay, avg_loss[0])
    total = avg_gain + avg_loss
    with np.errstate(invalid="ignore", divide="ignore"):
        out[period:] = np.where(total != 0, 100.0 * (avg_gain / total), NEUTRAL_RSI)
    return out

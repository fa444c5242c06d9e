"""The calculators a feature can use: what each reads, its parameters and its outputs.

This is the vocabulary of ``feature_sets.yaml``. The registry validates every feature against it;
the engine and the batch computation find the implementations under the same names
(``bar_calculators`` and ``book_features``; ``trade_flow`` is ``indicators.TradeFlow``/``TradePrints``).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from galfriday.features.indicators.macd import check_macd_periods


class Source(enum.StrEnum):
    """The event stream a calculator reads (and the data batch computation needs for it)."""

    BAR = "bar"  # BarClosed / candle rows
    BOOK = "book"  # OrderBookUpdated / book snapshots
    TRADE = "trade"  # MarketTradeReceived / trade prints


SERIES = ("close", "open", "high", "low", "typical", "volume")
"""Bar series a one-series indicator may read; ``typical`` is (high + low + close) / 3."""
PRICES = SERIES[:-1]

ParamValue = int | float


@dataclass(frozen=True)
class Param:
    """A numeric parameter: its type, its lower bound, and its default (None = required)."""

    kind: type[int] | type[float]
    low: float
    low_inclusive: bool = True
    default: ParamValue | None = None

    def describe(self) -> str:
        noun = "an integer" if self.kind is int else "a number"
        low = int(self.low) if self.kind is int else self.low
        return f"{noun} {'>=' if self.low_inclusive else '>'} {low}"

    def coerce(self, value: Any) -> ParamValue | None:
        """The value as ``kind`` when valid, else None."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if self.kind is int and (isinstance(value, float) and not value.is_integer()):
            return None
        number = self.kind(value)
        if not math.isfinite(number):
            return None
        ok = number >= self.low if self.low_inclusive else number > self.low
        return number if ok else None


@dataclass(frozen=True)
class Calculator:
    name: str
    source: Source
    summary: str
    outputs: tuple[str, ...] = ("value",)
    params: Mapping[str, Param] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()  # series it may read; () = fixed inputs named in the summary
    check: Callable[[Mapping[str, ParamValue]], None] | None = None  # cross-parameter rule

    @property
    def default_input(self) -> str | None:
        return self.inputs[0] if self.inputs else None


def _period(low: int, default: int | None = None) -> Mapping[str, Param]:
    return {"period": Param(int, low, default=default)}


def _macd_rule(p: Mapping[str, ParamValue]) -> None:
    check_macd_periods(int(p["fast"]), int(p["slow"]), int(p["signal"]))


CALCULATORS: Mapping[str, Calculator] = MappingProxyType(
    {
        c.name: c
        for c in (
            Calculator("sma", Source.BAR, "simple moving average", params=_period(1), inputs=SERIES),
            Calculator("ema", Source.BAR, "EMA, SMA-seeded (TA-Lib)", params=_period(1), inputs=SERIES),
            Calculator(
                "rsi", Source.BAR, "RSI, Wilder, SMA-seeded (TA-Lib)", params=_period(2, 14), inputs=SERIES
            ),
            Calculator("roc", Source.BAR, "rate of change, percent", params=_period(1), inputs=SERIES),
            Calculator("momentum", Source.BAR, "x - x[t-period]", params=_period(1), inputs=SERIES),
            Calculator(
                "macd",
                Source.BAR,
                "MACD line, signal and histogram (TA-Lib seeding)",
                outputs=("macd", "signal", "hist"),
                params={
                    "fast": Param(int, 2, default=12),
                    "slow": Param(int, 3, default=26),
                    "signal": Param(int, 1, default=9),
                },
                inputs=SERIES,
                check=_macd_rule,
            ),
            Calculator(
                "bollinger",
                Source.BAR,
                "Bollinger Bands: SMA ± k population standard deviations",
                outputs=("upper", "middle", "lower"),
                params={"period": Param(int, 2, default=20), "k": Param(float, 0.0, False, default=2.0)},
                inputs=SERIES,
            ),
            Calculator(
                "atr", Source.BAR, "ATR of high, low, close; Wilder, TA-Lib seeding", params=_period(1, 14)
            ),
            Calculator(
                "logret_std",
                Source.BAR,
                "population standard deviation of log returns",
                params=_period(2, 20),
                inputs=PRICES,
            ),
            Calculator(
                "vwap", Source.BAR, "VWAP of typical price over the last `period` bars", params=_period(1, 20)
            ),
            Calculator(
                "session_vwap",
                Source.BAR,
                "VWAP of typical price since the session start (sessions aligned to the epoch: 00:00 UTC)",
                params={"session_s": Param(int, 60, default=86_400)},
            ),
            Calculator(
                "book_top",
                Source.BOOK,
                "best-level spread (absolute and percent of mid), mid and size-weighted price (WAP)",
                outputs=("spread_abs", "spread_pct", "mid", "wap"),
            ),
            Calculator(
                "book_imbalance",
                Source.BOOK,
                "(bid - ask) / (bid + ask) quantity over the best `levels` levels",
                params={"levels": Param(int, 1, default=5)},
            ),
            Calculator(
                "book_depth",
                Source.BOOK,
                "quantity on the best `levels` levels of each side",
                outputs=("bid", "ask"),
                params={"levels": Param(int, 1, default=10)},
            ),
            Calculator(
                "trade_flow",
                Source.TRADE,
                "taker buy - sell volume and trade VWAP over the last `window_s` seconds",
                outputs=("volume_delta", "vwap"),
                params={"window_s": Param(float, 0.0, False)},
            ),
        )
    }
)


def calculator(name: str) -> Calculator:
    try:
        return CALCULATORS[name]
    except KeyError:
        raise KeyError(f"unknown calculator {name!r}; known: {', '.join(sorted(CALCULATORS))}") from None

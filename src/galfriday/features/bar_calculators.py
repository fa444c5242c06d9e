"""Bar calculators: each catalogue name bound to its streaming indicator and its batch twin.

The streaming side adapts an indicator to ``update(bar)`` / ``outputs()`` (a tuple of floats, NaN
while warming up); the batch side computes the same outputs as arrays from candle columns.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

import numpy as np

from galfriday.core.events import BarClosed
from galfriday.features.candles import CandleColumns
from galfriday.features.catalogue import calculator
from galfriday.features.indicators import (
    ATR,
    EMA,
    MACD,
    ROC,
    RSI,
    SMA,
    BollingerBands,
    LogReturnStd,
    Momentum,
    RollingVwap,
    SessionVwap,
    atr,
    bollinger,
    ema,
    log_return_std,
    macd,
    momentum,
    roc,
    rolling_vwap,
    rsi,
    session_vwap,
    sma,
    typical_price,
)
from galfriday.features.spec import InstanceKey


class BarInputs(NamedTuple):
    """A closed bar as floats; ``typical`` = (high + low + close) / 3."""

    open_time_ns: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    typical: float

    @classmethod
    def of(cls, bar: BarClosed) -> BarInputs:
        high, low, close = float(bar.high), float(bar.low), float(bar.close)
        return cls(
            bar.open_time_ns,
            float(bar.open),
            high,
            low,
            close,
            float(bar.volume),
            typical_price(high, low, close),
        )


class BarCalculator(Protocol):
    def update(self, bar: BarInputs) -> None: ...

    def outputs(self) -> tuple[float, ...]: ...


class _Adapter:
    """Outputs of an indicator whose ``value`` is a float, a NamedTuple of floats, or None."""

    __slots__ = ("_indicator", "_nan")

    def __init__(self, indicator: Any, outputs: int) -> None:
        self._indicator = indicator
        self._nan = (math.nan,) * outputs

    def outputs(self) -> tuple[float, ...]:
        value = self._indicator.value
        if value is None:
            return self._nan
        return value if isinstance(value, tuple) else (value,)


class _OneSeries(_Adapter):
    __slots__ = ("_field",)

    def __init__(self, indicator: Any, outputs: int, series: str) -> None:
        super().__init__(indicator, outputs)
        self._field = BarInputs._fields.index(series)

    def update(self, bar: BarInputs) -> None:
        self._indicator.update(bar[self._field])


class _Atr(_Adapter):
    __slots__ = ()

    def update(self, bar: BarInputs) -> None:
        self._indicator.update(bar.high, bar.low, bar.close)


class _RollingVwap(_Adapter):
    __slots__ = ()

    def update(self, bar: BarInputs) -> None:
        self._indicator.update(bar.typical, bar.volume)


class _SessionVwap(_Adapter):
    __slots__ = ()

    def update(self, bar: BarInputs) -> None:
        self._indicator.update(bar.open_time_ns, bar.typical, bar.volume)


_ONE_SERIES: dict[str, Callable[[InstanceKey], Any]] = {
    "sma": lambda k: SMA(k.param("period")),
    "ema": lambda k: EMA(k.param("period")),
    "rsi": lambda k: RSI(k.param("period")),
    "roc": lambda k: ROC(k.param("period")),
    "momentum": lambda k: Momentum(k.param("period")),
    "macd": lambda k: MACD(k.param("fast"), k.param("slow"), k.param("signal")),
    "bollinger": lambda k: BollingerBands(k.param("period"), k.param("k")),
    "logret_std": lambda k: LogReturnStd(k.param("period")),
}


def streaming(key: InstanceKey) -> BarCalculator:
    """A fresh streaming calculator for ``key``."""
    n = len(calculator(key.calculator).outputs)
    if key.calculator in _ONE_SERIES:
        assert key.input is not None
        return _OneSeries(_ONE_SERIES[key.calculator](key), n, key.input)
    if key.calculator == "atr":
        return _Atr(ATR(key.param("period")), n)
    if key.calculator == "vwap":
        return _RollingVwap(RollingVwap(key.param("period")), n)
    if key.calculator == "session_vwap":
        return _SessionVwap(SessionVwap(key.param("session_s")), n)
    raise KeyError(f"{key.calculator!r} is not a bar calculator")


_BATCH: dict[str, Callable[[InstanceKey, CandleColumns], tuple[np.ndarray, ...]]] = {
    "sma": lambda k, c: (sma(c.series(k.input), k.param("period")),),
    "ema": lambda k, c: (ema(c.series(k.input), k.param("period")),),
    "rsi": lambda k, c: (rsi(c.series(k.input), k.param("period")),),
    "roc": lambda k, c: (roc(c.series(k.input), k.param("period")),),
    "momentum": lambda k, c: (momentum(c.series(k.input), k.param("period")),),
    "macd": lambda k, c: tuple(macd(c.series(k.input), k.param("fast"), k.param("slow"), k.param("signal"))),
    "bollinger": lambda k, c: tuple(bollinger(c.series(k.input), k.param("period"), k.param("k"))),
    "logret_std": lambda k, c: (log_return_std(c.series(k.input), k.param("period")),),
    "atr": lambda k, c: (atr(c.high, c.low, c.close, k.param("period")),),
    "vwap": lambda k, c: (rolling_vwap(c.series("typical"), c.volume, k.param("period")),),
    "session_vwap": lambda k, c: (
        session_vwap(c.open_time_ns, c.series("typical"), c.volume, k.param("session_s")),
    ),
}


def batch(key: InstanceKey, candles: CandleColumns) -> tuple[np.ndarray, ...]:
    """The outputs of ``key`` over every candle row (the batch twin of ``streaming``)."""
    try:
        compute = _BATCH[key.calculator]
    except KeyError:
        raise KeyError(f"{key.calculator!r} is not a bar calculator") from None
    return compute(key, candles)

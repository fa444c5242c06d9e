"""Rate of change and momentum over ``period`` bars, as TA-Lib's ROC and MOM.

ROC = (x / x[t-period] - 1) · 100 (percent); MOM = x - x[t-period]. First value at index ``period``.
Where the earlier value is 0, ROC is NaN (TA-Lib writes 0, which is not a rate of anything).
"""

from __future__ import annotations

import math

import numpy as np

from galfriday.features.indicators.lag import Lag


def _check(period: int) -> None:
    if period < 1:
        raise ValueError(f"period must be >= 1, got {period}")


class _VersusPast:
    """Shared by ROC and Momentum: the current value against the one ``period`` updates ago."""

    __slots__ = ("_lag", "_x", "period")

    def __init__(self, period: int) -> None:
        _check(period)
        self.period = period
        self._lag = Lag(period)
        self._x = math.nan

    def update(self, x: float) -> None:
        self._lag.update(x)
        self._x = x

    @property
    def warm(self) -> bool:
        return self._lag.past is not None

    @property
    def value(self) -> float | None:
        past = self._lag.past
        return None if past is None else self._compare(self._x, past)

    @staticmethod
    def _compare(x: float, past: float) -> float:
        raise NotImplementedError


class ROC(_VersusPast):
    """Streaming rate of change in percent; ``value`` is None for the first ``period`` values."""

    __slots__ = ()

    @staticmethod
    def _compare(x: float, past: float) -> float:
        return (x / past - 1.0) * 100.0 if past != 0 else math.nan


class Momentum(_VersusPast):
    """Streaming momentum ``x - x[t-period]``; ``value`` is None for the first ``period`` values."""

    __slots__ = ()

    @staticmethod
    def _compare(x: float, past: float) -> float:
        return x - past


def roc(x: np.ndarray, period: int) -> np.ndarray:
    """Batch twin of ``ROC``."""
    _check(period)
    x = np.asarray(x, dtype=np.float64)
    out = np.full(len(x), np.nan)
    past = x[:-period]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[period:] = np.where(past != 0, (x[period:] / past - 1.0) * 100.0, np.nan)
    return out


def momentum(x: np.ndarray, period: int) -> np.ndarray:
    """Batch twin of ``Momentum``."""
    _check(period)
    x = np.asarray(x, dtype=np.float64)
    out = np.full(len(x), np.nan)
    out[period:] = x[period:] - x[:-period]
    return out

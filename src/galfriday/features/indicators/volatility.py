"""Rolling standard deviation of log returns ``ln(x_t / x_{t-1})`` over ``period`` returns.

Population standard deviation (ddof=0), like TA-Lib's STDDEV, so ``talib.STDDEV(log returns)`` is a
reference; first value at index ``period``. Not annualised: multiply by sqrt(bars per year) if needed.

Both halves take logarithms with ``math.log``: numpy's vectorised ``log`` differs from the C
library's in the last bit for about 2 % of inputs, which would break streaming/batch identity.
"""

from __future__ import annotations

import math

import numpy as np

from galfriday.features.indicators.window_sums import WindowSums, window_pvariance, window_sums


def log_return(ratio: float) -> float:
    """``ln(ratio)``; NaN for a ratio that is not positive (a zero or negative price)."""
    return math.log(ratio) if ratio > 0 else math.nan


def _check(period: int) -> None:
    if period < 2:
        raise ValueError(f"period must be >= 2, got {period}")


class LogReturnStd:
    """Streaming standard deviation of log returns; ``value`` is None for the first ``period`` values."""

    __slots__ = ("_prev", "_sums", "period")

    def __init__(self, period: int = 20) -> None:
        _check(period)
        self.period = period
        self._prev: float | None = None
        self._sums = WindowSums(period, squares=True)

    def update(self, x: float) -> None:
        prev = self._prev
        self._prev = x
        if prev is not None:
            self._sums.update(log_return(x / prev))

    @property
    def warm(self) -> bool:
        return self._sums.full

    @property
    def value(self) -> float | None:
        return math.sqrt(self._sums.pvariance()) if self._sums.full else None


def log_returns(x: np.ndarray) -> np.ndarray:
    """Log returns of bars 1..n-1, each with ``math.log`` (see the module docstring)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = x[1:] / x[:-1]
    return np.fromiter(map(log_return, ratio.tolist()), dtype=np.float64, count=len(ratio))


def log_return_std(x: np.ndarray, period: int = 20) -> np.ndarray:
    """Batch twin of ``LogReturnStd``."""
    _check(period)
    out = np.full(len(x), np.nan)
    if len(x) < 2:
        return out
    _, s1, s2 = window_sums(log_returns(x), period, squares=True)
    out[1:] = np.sqrt(window_pvariance(s1, s2, period))
    return out

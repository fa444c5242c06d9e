"""Simple and exponential moving averages in TA-Lib's conventions.

SMA: the mean of the last ``period`` values, from ``WindowSums`` (no drift). EMA: seeded with the SMA
of the first ``period`` values (TA-Lib's default compatibility mode), first value at index
``period - 1``, then ``k = 2 / (period + 1)``.
"""

from __future__ import annotations

import math

import numpy as np

from galfriday.features.indicators.recurrence import ema_coefficients, smooth
from galfriday.features.indicators.window_sums import WindowSums, window_mean, window_sums


def _check_period(period: int, minimum: int = 1) -> None:
    if period < minimum:
        raise ValueError(f"period must be >= {minimum}, got {period}")


class SMA:
    """Streaming simple moving average; ``value`` is None until ``period`` values were seen."""

    __slots__ = ("_sums", "period")

    def __init__(self, period: int) -> None:
        _check_period(period)
        self.period = period
        self._sums = WindowSums(period)

    def update(self, x: float) -> None:
        self._sums.update(x)

    @property
    def warm(self) -> bool:
        return self._sums.full

    @property
    def value(self) -> float | None:
        return self._sums.mean() if self._sums.full else None


def sma(x: np.ndarray, period: int) -> np.ndarray:
    """Batch twin of ``SMA``: NaN during warm-up."""
    _check_period(period)
    shift, s1, _ = window_sums(x, period)
    return window_mean(shift, s1, period)


class EMA:
    """Streaming EMA seeded with the SMA of the first ``period`` values (first value at index period-1)."""

    __slots__ = ("_decay", "_gain", "_seed", "period", "y")

    def __init__(self, period: int) -> None:
        _check_period(period)
        self.period = period
        self._gain, self._decay = ema_coefficients(period)
        self._seed: list[float] | None = []
        self.y = math.nan

    def update(self, x: float) -> None:
        seed = self._seed
        if seed is None:
            self.y = self._decay * self.y + self._gain * x
            return
        seed.append(x)
        if len(seed) == self.period:
            self.y = math.fsum(seed) / self.period
            self._seed = None

    @property
    def warm(self) -> bool:
        return self._seed is None

    @property
    def value(self) -> float | None:
        return self.y if self._seed is None else None


def ema(x: np.ndarray, period: int) -> np.ndarray:
    """Batch twin of ``EMA``."""
    _check_period(period)
    return seeded_ema(np.asarray(x, dtype=np.float64), period, 0)


def seeded_ema(x: np.ndarray, period: int, seed_end: int) -> np.ndarray:
    """EMA whose first value, at index ``seed_end + period - 1``, is the mean of the ``period`` values
    ending there; NaN before. ``seed_end=0`` is TA-Lib's EMA; MACD seeds its fast EMA later."""
    out = np.full(len(x), np.nan)
    start = seed_end + period - 1
    if len(x) <= start:
        return out
    gain, decay = ema_coefficients(period)
    seed = math.fsum(x[seed_end : start + 1].tolist()) / period
    out[start] = seed
    out[start + 1 :] = smooth(gain * x[start + 1 :], decay, seed)
    return out

"""Bollinger Bands: SMA middle ± k population standard deviations (TA-Lib BBANDS with matype=SMA).

Mean and variance come from the centred ``WindowSums`` of one window, so the middle band is
bit-identical to ``SMA`` of the same period.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from galfriday.features.indicators.window_sums import (
    WindowSums,
    window_mean,
    window_pvariance,
    window_sums,
)


class BandsValue(NamedTuple):
    upper: float
    middle: float
    lower: float


def _check(period: int, k: float) -> None:
    if period < 2:
        raise ValueError(f"period must be >= 2, got {period}")
    if not k > 0:
        raise ValueError(f"k (standard deviations) must be > 0, got {k}")


class BollingerBands:
    """Streaming Bollinger Bands; ``value`` is None for the first ``period - 1`` values."""

    __slots__ = ("_sums", "k", "period")

    def __init__(self, period: int = 20, k: float = 2.0) -> None:
        _check(period, k)
        self.period = period
        self.k = float(k)
        self._sums = WindowSums(period, squares=True)

    def update(self, x: float) -> None:
        self._sums.update(x)

    @property
    def warm(self) -> bool:
        return self._sums.full

    @property
    def value(self) -> BandsValue | None:
        sums = self._sums
        if not sums.full:
            return None
        middle = sums.mean()
        width = self.k * math.sqrt(sums.pvariance())
        return BandsValue(middle + width, middle, middle - width)


def bollinger(x: np.ndarray, period: int = 20, k: float = 2.0) -> BandsValue:
    """Batch twin of ``BollingerBands``: (upper, middle, lower) arrays."""
    _check(period, k)
    shift, s1, s2 = window_sums(x, period, squares=True)
    middle = window_mean(shift, s1, period)
    width = float(k) * np.sqrt(window_pvariance(s1, s2, period))
    return BandsValue(middle + width, middle, middle - width)

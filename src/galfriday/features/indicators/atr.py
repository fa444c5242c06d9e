"""Average True Range, Wilder's smoothing seeded as TA-Lib does.

True range needs the previous close, so the first one is at index 1; the ATR's seed is the mean of
the true ranges of bars 1..period (first ATR at index ``period``). StockCharts (and the ``ta`` and
tulipindicators libraries) count bar 0's high-low as a true range and start one bar earlier, so
their early values differ; the difference decays by (period-1)/period per bar.
"""

from __future__ import annotations

import math

import numpy as np

from galfriday.features.indicators.recurrence import smooth, wilder_coefficients


def _check(period: int) -> None:
    if period < 1:
        raise ValueError(f"period must be >= 1, got {period}")


def true_range(high: float, low: float, prev_close: float) -> float:
    return max(high - low, abs(high - prev_close), abs(low - prev_close))


class ATR:
    """Streaming ATR; ``value`` is None for the first ``period`` bars."""

    __slots__ = ("_decay", "_gain", "_prev_close", "_seed", "period", "y")

    def __init__(self, period: int = 14) -> None:
        _check(period)
        self.period = period
        self._gain, self._decay = wilder_coefficients(period)
        self._prev_close: float | None = None
        self._seed: list[float] | None = []
        self.y = math.nan

    def update(self, high: float, low: float, close: float) -> None:
        prev = self._prev_close
        self._prev_close = close
        if prev is None:
            return
        tr = true_range(high, low, prev)
        seed = self._seed
        if seed is None:
            self.y = self._decay * self.y + self._gain * tr
            return
        seed.append(tr)
        if len(seed) == self.period:
            self.y = math.fsum(seed) / self.period
            self._seed = None

    @property
    def warm(self) -> bool:
        return self._seed is None

    @property
    def value(self) -> float | None:
        return self.y if self._seed is None else None


def true_ranges(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> np.ndarray:
    """True range of bars 1..n-1 (bar 0 has no previous close)."""
    prev = close[:-1]
    h, lo = high[1:], low[1:]
    return np.maximum(np.maximum(h - lo, np.abs(h - prev)), np.abs(lo - prev))


def atr(high: np.ndarray, low: np.ndarray, close: np.ndarray, period: int = 14) -> np.ndarray:
    """Batch twin of ``ATR``."""
    _check(period)
    high, low, close = (np.asarray(a, dtype=np.float64) for a in (high, low, close))
    out = np.full(len(close), np.nan)
    if len(close) <= period:
        return out
    tr = true_ranges(high, low, close)
    gain, decay = wilder_coefficients(period)
    seed = math.fsum(tr[:period].tolist()) / period
    out[period] = seed
    out[period + 1 :] = smooth(gain * tr[period:], decay, seed)
    return out

"""Volume-weighted average price over bars: a rolling window of bars, and a UTC-aligned session.

The price of a bar is its typical price (high + low + close) / 3 — the convention of StockCharts and
the ``ta`` library — because candle files have no per-bar VWAP and training must see the same
numbers as live trading. A window (or session so far) without any volume has no VWAP: NaN.

Rolling: uncentred ``WindowSums`` of price·volume and of volume, plus an exact integer count of bars
with volume, so a window of zero-volume bars is NaN even when rounding leaves a crumb in the sums.
Session: plain running sums from the first bar whose open time falls in the session (sessions are
``session_s`` long, aligned to the Unix epoch, so the default of 86400 starts at 00:00 UTC);
nothing is subtracted, so there is nothing to drift, and the sums restart every session.
"""

from __future__ import annotations

import math

import numpy as np

from galfriday.features.indicators.window_sums import WindowSums, window_sums

NS_PER_S = 1_000_000_000


def typical_price(high: float, low: float, close: float) -> float:
    return (high + low + close) / 3.0


def typical_prices(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> np.ndarray:
    return (high + low + close) / 3.0


class RollingVwap:
    """Streaming VWAP of the last ``period`` bars; None until ``period`` bars were seen."""

    __slots__ = ("_flags", "_pos", "_pv", "_traded", "_vol", "period")

    def __init__(self, period: int = 20) -> None:
        if period < 1:
            raise ValueError(f"period must be >= 1, got {period}")
        self.period = period
        self._pv = WindowSums(period, centred=False)
        self._vol = WindowSums(period, centred=False)
        self._flags = [0] * period  # 1 where the bar had volume
        self._pos = 0
        self._traded = 0  # bars with volume > 0 in the window

    def update(self, price: float, volume: float) -> None:
        self._pv.update(price * volume)
        self._vol.update(volume)
        traded = 1 if volume > 0 else 0
        self._traded += traded - self._flags[self._pos]
        self._flags[self._pos] = traded
        self._pos = (self._pos + 1) % self.period

    @property
    def warm(self) -> bool:
        return self._vol.full

    @property
    def value(self) -> float | None:
        if not self._vol.full:
            return None
        return self._pv.sum / self._vol.sum if self._traded else math.nan


def rolling_vwap(price: np.ndarray, volume: np.ndarray, period: int = 20) -> np.ndarray:
    """Batch twin of ``RollingVwap``."""
    if period < 1:
        raise ValueError(f"period must be >= 1, got {period}")
    price = np.asarray(price, dtype=np.float64)
    volume = np.asarray(volume, dtype=np.float64)
    _, pv, _ = window_sums(price * volume, period, centred=False)
    _, vol, _ = window_sums(volume, period, centred=False)
    traded = np.concatenate([[0], np.cumsum(volume > 0)])
    count = traded[period:] - traded[:-period]  # bars with volume in the window ending at each row
    out = np.full(len(price), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[period - 1 :] = np.where(count > 0, pv[period - 1 :] / vol[period - 1 :], np.nan)
    return out


class SessionVwap:
    """Streaming VWAP since the start of the current session; NaN until the session has volume."""

    __slots__ = ("_pv", "_session", "_session_ns", "_vol")

    def __init__(self, session_s: int = 86_400) -> None:
        if session_s < 1:
            raise ValueError(f"session_s must be >= 1, got {session_s}")
        self._session_ns = session_s * NS_PER_S
        self._session: int | None = None
        self._pv = 0.0
        self._vol = 0.0

    def update(self, open_time_ns: int, price: float, volume: float) -> None:
        session = open_time_ns // self._session_ns
        if session != self._session:
            self._session = session
            self._pv = 0.0
            self._vol = 0.0
        self._pv = self._pv + price * volume
        self._vol = self._vol + volume

    @property
    def warm(self) -> bool:
        return self._session is not None

    @property
    def value(self) -> float | None:
        if self._session is None:
            return None
        return self._pv / self._vol if self._vol > 0 else math.nan


def session_vwap(
    open_time_ns: np.ndarray, price: np.ndarray, volume: np.ndarray, session_s: int = 86_400
) -> np.ndarray:
    """Batch twin of ``SessionVwap`` (one sequential ``np.cumsum`` per session)."""
    if session_s < 1:
        raise ValueError(f"session_s must be >= 1, got {session_s}")
    price = np.asarray(price, dtype=np.float64)
    volume = np.asarray(volume, dtype=np.float64)
    session = np.asarray(open_time_ns, dtype=np.int64) // (session_s * NS_PER_S)
    out = np.full(len(price), np.nan)
    if len(price) == 0:
        return out
    starts = np.flatnonzero(np.concatenate([[True], session[1:] != session[:-1]]))
    ends = [*starts[1:].tolist(), len(price)]
    pv = price * volume
    for lo, hi in zip(starts, ends, strict=True):
        pv_sum = np.cumsum(pv[lo:hi])
        vol_sum = np.cumsum(volume[lo:hi])
        with np.errstate(divide="ignore", invalid="ignore"):
            out[lo:hi] = np.where(vol_sum > 0, pv_sum / vol_sum, np.nan)
    return out

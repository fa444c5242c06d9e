"""OHLC candles built by the exchange from its own market: REST ``OHLC`` and the ``Ticker`` stats.

Every trade print updates one candle per Kraken interval (1, 5, 15, 30, 60, 240, 1440, 10080,
21600 minutes), bucketed on the epoch as ``marketdata.bars`` does; a replayed candle feeds the
intervals it divides. Like Kraken, ``OHLC`` answers with at most 720 committed candles plus the
still-open one, and ``last`` is the open time of the newest committed candle (pass it back as
``since`` to poll).
"""

from __future__ import annotations

from collections import deque
from decimal import Decimal

from galfriday.core.events import BarClosed
from galfriday.marketdata.bars import bucket_start, vwap_of

NS_PER_S = 1_000_000_000
INTERVALS_MIN = (1, 5, 15, 30, 60, 240, 1440, 10080, 21600)
_COMMITTED = 720
_MINUTE_ROWS = 1500  # 1 m candles kept: 24 h for the ticker, plus margin


class Candle:
    __slots__ = ("close", "count", "high", "low", "notional", "open", "open_s", "volume")

    def __init__(self, open_s: int, price: Decimal) -> None:
        self.open_s = open_s
        self.open = self.high = self.low = self.close = price
        self.volume = Decimal(0)
        self.notional = Decimal(0)
        self.count = 0

    def add(
        self,
        price: Decimal,
        qty: Decimal,
        notional: Decimal,
        count: int,
        high: Decimal | None = None,
        low: Decimal | None = None,
    ) -> None:
        self.high = max(self.high, high if high is not None else price)
        self.low = min(self.low, low if low is not None else price)
        self.close = price
        self.volume += qty
        self.notional += notional
        self.count += count

    @property
    def vwap(self) -> Decimal:
        return vwap_of(self.notional, self.volume) if self.volume else self.close


class CandleSeries:
    """One pair, one interval: candles in time order, the last one still open."""

    def __init__(self, interval_min: int) -> None:
        self.interval_s = interval_min * 60
        self.candles: deque[Candle] = deque(maxlen=_MINUTE_ROWS if interval_min == 1 else _COMMITTED + 1)

    def _candle(self, ts_ns: int, open_price: Decimal) -> Candle | None:
        open_s = bucket_start(ts_ns, self.interval_s * NS_PER_S) // NS_PER_S
        candles = self.candles
        if candles and candles[-1].open_s == open_s:
            return candles[-1]
        if candles and candles[-1].open_s > open_s:
            return None  # late data for a committed candle: Kraken does not rewrite history
        candle = Candle(open_s, open_price)
        candles.append(candle)
        return candle

    def add_trade(self, ts_ns: int, price: Decimal, qty: Decimal) -> None:
        candle = self._candle(ts_ns, price)
        if candle is not None:
            candle.add(price, qty, price * qty, 1)

    def add_bar(self, bar: BarClosed) -> None:
        candle = self._candle(bar.open_time_ns, bar.open)
        if candle is not None:
            candle.add(bar.close, bar.volume, bar.vwap * bar.volume, bar.trade_count, bar.high, bar.low)

    def page(self, since_s: int | None) -> tuple[list[Candle], int]:
        """Up to 720 committed candles newer than ``since_s`` plus the open one, and ``last``."""
        candles = list(self.candles)[-(_COMMITTED + 1) :]
        last = candles[-2].open_s if len(candles) > 1 else (candles[0].open_s if candles else 0)
        if since_s is not None:
            candles = [c for c in candles if c.open_s > since_s]
        return candles, last


class OhlcStore:
    """Every interval of one pair."""

    def __init__(self) -> None:
        self.series = {m: CandleSeries(m) for m in INTERVALS_MIN}

    def add_trade(self, ts_ns: int, price: Decimal, qty: Decimal) -> None:
        for series in self.series.values():
            series.add_trade(ts_ns, price, qty)

    def add_bar(self, bar: BarClosed) -> None:
        for series in self.series.values():
            if series.interval_s % bar.interval_s == 0:
                series.add_bar(bar)

    def finest(self) -> CandleSeries | None:
        """The shortest interval that has candles (1 m from trades; the bar size for candle replays)."""
        return next((s for s in self.series.values() if s.candles), None)

"""Market data → time series: book tops to ``market_data_l2``, bars to ``market_data_ohlcv``.

A bus subscriber on the adapter side: it turns events into points and hands them to a
non-blocking ``submit`` (normally ``BufferedTimeSeriesWriter.submit``), so recording never slows
the trading path. Floats are fine here: the time-series store is for charts and research; the
exact record of money lives in the relational database.
"""

from __future__ import annotations

from collections.abc import Callable

from galfriday.core.events import BarClosed, BookLevel, OrderBookUpdated
from galfriday.marketdata.bars import format_interval
from galfriday.storage.timeseries.point import Point

Submit = Callable[[Point], object]

#: levels over which imbalance is recorded (imbalance_N fields)
IMBALANCE_LEVELS = (1, 5, 10)


def _imbalance(bids: tuple[BookLevel, ...], asks: tuple[BookLevel, ...], n: int) -> float | None:
    bid = sum(float(level.qty) for level in bids[:n])
    ask = sum(float(level.qty) for level in asks[:n])
    total = bid + ask
    return None if total == 0 else (bid - ask) / total


def book_point(event: OrderBookUpdated, exchange: str = "kraken") -> Point:
    fields: dict[str, float | bool] = {"is_snapshot": event.is_snapshot}
    for side, levels in (("bid", event.bids), ("ask", event.asks)):
        for i, level in enumerate(levels):
            fields[f"{side}_price_level_{i}"] = float(level.price)
            fields[f"{side}_volume_level_{i}"] = float(level.qty)
    if event.bids and event.asks:
        bid, ask = event.bids[0], event.asks[0]
        fields["spread"] = float(ask.price - bid.price)
        fields["mid_price"] = float((ask.price + bid.price) / 2)
        size = bid.qty + ask.qty
        if size > 0:  # weighted by the opposite side's size: leans toward where the pressure is
            fields["wap"] = float((bid.price * ask.qty + ask.price * bid.qty) / size)
    for n in IMBALANCE_LEVELS:
        value = _imbalance(event.bids, event.asks, n)
        if value is not None:
            fields[f"imbalance_{n}"] = value
    return Point("market_data_l2", {"exchange": exchange, "trading_pair": event.pair}, fields, event.ts_event)


def bar_point(event: BarClosed, exchange: str = "kraken") -> Point:
    tags = {"exchange": exchange, "trading_pair": event.pair, "interval": format_interval(event.interval_s)}
    fields = {
        "open": float(event.open),
        "high": float(event.high),
        "low": float(event.low),
        "close": float(event.close),
        "volume": float(event.volume),
    }
    return Point("market_data_ohlcv", tags, fields, event.open_time_ns)


class MarketDataRecorder:
    """Subscribe ``on_book`` to OrderBookUpdated and ``on_bar`` to BarClosed.

    ``book_every`` records one book in N per pair: full L2 at every update is very high volume
    (the schema document warns about it), bars are always recorded.
    """

    def __init__(self, submit: Submit, *, exchange: str = "kraken", book_every: int = 1) -> None:
        if book_every < 1:
            raise ValueError("book_every must be >= 1")
        self._submit = submit
        self._exchange = exchange
        self._book_every = book_every
        self._book_seen: dict[str, int] = {}

    def on_book(self, event: OrderBookUpdated) -> None:
        seen = self._book_seen.get(event.pair, 0)
        self._book_seen[event.pair] = seen + 1
        if seen % self._book_every == 0:
            self._submit(book_point(event, self._exchange))

    def on_bar(self, event: BarClosed) -> None:
        self._submit(bar_point(event, self._exchange))

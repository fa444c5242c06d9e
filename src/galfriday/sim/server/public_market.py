"""The exchange's public market data: per pair the book, the tape and the candles.

Every market event passes through ``apply`` before it reaches the matching engines, and the
listeners (the public WS hub) hear about what changed: a new book version and/or new trades. For
pairs replayed without a book (``FeedKind.TRADES``/``BARS``) the book is synthesized around each
new price (``public_book.synthetic_levels``); it is public decoration, never matched against.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from galfriday.core.events import BarClosed, Event, MarketTradeReceived, OrderBookUpdated
from galfriday.core.instruments import Instrument
from galfriday.sim.server.market_source import FeedKind
from galfriday.sim.server.ohlc import OhlcStore
from galfriday.sim.server.public_book import PublicBook, synthetic_levels
from galfriday.sim.server.tape import PublicTrade, TradeTape
from galfriday.sim.server.ticker import TickerStats, ticker_stats


class MarketListener(Protocol):
    def on_market(self, pair: str, book_changed: bool, trades: list[PublicTrade]) -> None: ...


class PairMarket:
    __slots__ = ("book", "instrument", "kind", "ohlc", "tape")

    def __init__(self, instrument: Instrument, kind: FeedKind) -> None:
        self.instrument = instrument
        self.kind = kind
        self.book = PublicBook(instrument)
        self.tape = TradeTape()
        self.ohlc = OhlcStore()


class PublicMarket:
    def __init__(self, instruments: Iterable[Instrument], kinds: dict[str, FeedKind]) -> None:
        self.pairs = {i.symbol: PairMarket(i, kinds.get(i.symbol, FeedKind.BOOKS)) for i in instruments}
        self.listeners: list[MarketListener] = []
        self.now_ns = 0  # market time of the last event

    def apply(self, event: Event) -> None:
        pair = getattr(event, "pair", "")
        market = self.pairs.get(pair)
        if market is None:
            return
        self.now_ns = max(self.now_ns, event.ts_event)
        trades: list[PublicTrade] = []
        book_changed = False
        if isinstance(event, OrderBookUpdated):
            market.book.update(event.ts_event, event.bids, event.asks)
            book_changed = True
        elif isinstance(event, MarketTradeReceived):
            trades.append(market.tape.add(event))
            market.ohlc.add_trade(event.ts_event, event.price, event.qty)
            if market.kind is not FeedKind.BOOKS:
                market.book.update(event.ts_event, *synthetic_levels(event.price, market.instrument))
                book_changed = True
        elif isinstance(event, BarClosed):
            market.ohlc.add_bar(event)
            market.book.update(event.ts_event, *synthetic_levels(event.close, market.instrument))
            book_changed = True
        for listener in self.listeners:
            listener.on_market(pair, book_changed, trades)

    def ticker(self, pair: str) -> TickerStats:
        market = self.pairs[pair]
        return ticker_stats(market.book, market.tape, market.ohlc, self.now_ns)

"""The price a stop-loss watches, and whether a market event reached it.

The ExecutionHandler keeps stop-losses itself (see ``exits``), so they must fire when a Kraken
``stop-loss`` order would. The convention is the fill model's (``sim.matching.triggers``),
Kraken's ``trigger=last``: the last trade price; on a feed that has shown no trade for the pair
(book only), the mid price; on bars, the bar's low for a sell stop and its high for a buy stop.
Each market event therefore yields a (low, high) range of that reference price.
"""

from __future__ import annotations

from decimal import Decimal

from galfriday.core.events import BarClosed, Event, MarketTradeReceived, OrderBookUpdated
from galfriday.core.types import Side

PriceRange = tuple[Decimal, Decimal]


class StopWatch:
    """The latest reference price per pair, updated from market events."""

    def __init__(self) -> None:
        self._traded: set[str] = set()
        self._last: dict[str, Decimal] = {}

    def on_market(self, event: Event) -> PriceRange | None:
        """The reference price range ``event`` shows, or None if it moves no stop."""
        if isinstance(event, MarketTradeReceived):
            self._traded.add(event.pair)
            self._last[event.pair] = event.price
            return event.price, event.price
        if isinstance(event, OrderBookUpdated):
            if event.pair in self._traded or not (event.bids and event.asks):
                return None
            mid = (event.bids[0].price + event.asks[0].price) / 2
            self._last[event.pair] = mid
            return mid, mid
        if isinstance(event, BarClosed):
            self._last[event.pair] = event.close
            return event.low, event.high
        return None

    def last(self, pair: str) -> Decimal | None:
        """The latest reference price of ``pair`` (None before any market data)."""
        return self._last.get(pair)


def stop_reached(held: Side, trigger: Decimal, seen: PriceRange) -> bool:
    """Has a stop protecting a position bought (``held`` BUY) or sold short reached its trigger?"""
    low, high = seen
    return low <= trigger if held is Side.BUY else high >= trigger

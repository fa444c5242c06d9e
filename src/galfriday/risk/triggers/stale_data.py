"""HALT on stale market data: a pair without a verified book update for ``stale_after_s`` (60 s).

The ingestor owns the clock alert and publishes ``MarketDataStale`` once per stale episode;
trading on a book that stopped moving is trading blind, so each one fires.
"""

from __future__ import annotations

from collections.abc import Iterable

from galfriday.core.events import MarketDataStale
from galfriday.risk.triggers.base import Fire, Subscription


class StaleDataTrigger:
    name = "stale_market_data"

    def __init__(self, fire: Fire) -> None:
        self._fire = fire

    def subscriptions(self) -> Iterable[Subscription]:
        return ((MarketDataStale, self.on_stale),)

    def on_stale(self, event: MarketDataStale) -> None:
        self._fire(self.name, f"{event.pair}: no verified book update for {event.stale_for_s:.1f}s")

    def reset(self) -> None:
        """Nothing to forget: the next MarketDataStale fires again."""

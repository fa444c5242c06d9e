"""How old each pair's market data is, from the verified book updates seen on the bus.

The readiness check and ``MonitoringService`` read it; it also remembers which pairs already had
their staleness reported (``MarketDataStale``, normally from the ingestor), so monitoring's
backstop never reports the same stale episode twice — a second report while HALTED would be
recorded as a later trigger and restart the recovery checklist.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from galfriday.core.clock import NS_PER_S, Clock
from galfriday.core.events import MarketDataStale, OrderBookUpdated


class MarketDataFreshness:
    def __init__(self, clock: Clock, pairs: Sequence[str]) -> None:
        if not pairs:
            raise ValueError("MarketDataFreshness needs the traded pairs, e.g. ['XRP/USD']")
        self._clock = clock
        now = clock.timestamp_ns()
        # Before the first update a pair's age counts from start-up: no data at all is stale too.
        self._last_ns: dict[str, int] = dict.fromkeys(pairs, now)
        self._reported: set[str] = set()

    def attach(self, bus: Any) -> None:
        bus.subscribe(OrderBookUpdated, self.on_book, name="monitoring.freshness.book")
        bus.subscribe(MarketDataStale, self.on_stale, name="monitoring.freshness.stale")

    def restart(self) -> None:
        """Count every pair's age from now (call when the feed is (re)started)."""
        now = self._clock.timestamp_ns()
        self._last_ns = dict.fromkeys(self._last_ns, now)
        self._reported.clear()

    @property
    def pairs(self) -> tuple[str, ...]:
        return tuple(self._last_ns)

    def on_book(self, event: OrderBookUpdated) -> None:
        if event.pair in self._last_ns:
            self._last_ns[event.pair] = max(self._last_ns[event.pair], event.ts_init)
            self._reported.discard(event.pair)

    def on_stale(self, event: MarketDataStale) -> None:
        if event.pair in self._last_ns:
            self._reported.add(event.pair)

    def mark_reported(self, pair: str) -> None:
        self._reported.add(pair)

    def is_reported(self, pair: str) -> bool:
        return pair in self._reported

    def last_update_ns(self, pair: str) -> int:
        return self._last_ns[pair]

    def ages_s(self) -> dict[str, float]:
        now = self._clock.timestamp_ns()
        return {pair: max(0, now - last) / NS_PER_S for pair, last in self._last_ns.items()}

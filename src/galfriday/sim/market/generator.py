"""``MarketGenerator``: seeded synthetic markets for several pairs, merged into one time-ordered stream.

Used by the embedded-default demo (no network, no recorded data) and by load tests of the exchange
simulator. The stream starts with one book snapshot per pair, then trade prints and book updates as
``core.events`` (``MarketTradeReceived``, ``OrderBookUpdated`` with the full top-``depth`` book)
with strictly increasing ns timestamps across pairs. Event ids are derived from the seed, so the
same seed yields byte-identical events (``encode_event``) and a different seed a different market.

Checksums are left at 0: the exchange simulator computes Kraken's CRC32 when it renders a book.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator, Sequence

from galfriday.core.events import Event
from galfriday.sim.errors import SimError
from galfriday.sim.ids import EventIds
from galfriday.sim.market.pair_market import PairMarket
from galfriday.sim.market.profile import PairProfile, default_profiles

DEFAULT_START_NS = 1_704_067_200_000_000_000  # 2024-01-01T00:00:00Z: fixed, so output is reproducible


class MarketGenerator:
    """A stream of market events; ``events`` continues where the previous call stopped."""

    def __init__(
        self,
        profiles: Sequence[PairProfile] | None = None,
        *,
        seed: int = 0,
        start_ns: int = DEFAULT_START_NS,
    ) -> None:
        profiles = tuple(profiles) if profiles is not None else default_profiles()
        pairs = [p.instrument.symbol for p in profiles]
        if not profiles or len(set(pairs)) != len(pairs):
            raise SimError(f"need one profile per pair, got {pairs}; see market.default_profiles()")
        self._markets = [
            PairMarket(
                p,
                random.Random(f"{seed}:{p.instrument.symbol}"),
                start_ns + i,
                EventIds(f"market-gen:{seed}:{p.instrument.symbol}"),
            )
            for i, p in enumerate(profiles)
        ]
        self._heap = [(m.next_ts, i) for i, m in enumerate(self._markets)]
        heapq.heapify(self._heap)
        self._last_ts = start_ns - 1

    @property
    def pairs(self) -> tuple[str, ...]:
        return tuple(m.pair for m in self._markets)

    def events(self, *, max_events: int | None = None, until_ns: int | None = None) -> Iterator[Event]:
        """Yield events in timestamp order until ``max_events`` were yielded or time passes
        ``until_ns`` (at least one limit is required: the market never ends)."""
        if max_events is None and until_ns is None:
            raise SimError("pass max_events or until_ns: the synthetic market never ends by itself")
        remaining = max_events if max_events is not None else -1
        heap, markets = self._heap, self._markets
        while remaining:
            next_ts, i = heap[0]
            if until_ns is not None and max(next_ts, self._last_ts + 1) > until_ns:
                return
            batch = markets[i].step(self._last_ts + 1)
            self._last_ts = batch[-1].ts_event
            heapq.heapreplace(heap, (markets[i].next_ts, i))
            for event in batch:
                yield event
                remaining -= 1
                if not remaining:
                    return

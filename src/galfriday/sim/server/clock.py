"""Two clocks: the exchange's (wall time) and the market's (the replayed data's time).

The exchange clock is the wall clock: ``Time``, order open/close times, fills, deadlines, GTD
expiry times and token lifetimes are all wall time, because clients compute deadlines and
``start`` filters from their own wall clock. Market data carries market time — for the default
generator (started at the wall time of boot) at 1x the two agree; a replay of 2021 data at 10x
runs in 2021 at ten times the pace.

The matching engine only ever sees market time, so this module maps between them: the first
market event anchors market time to the wall, after which market time advances at ``speed`` x
wall time (never behind the last event delivered). At ``max`` speed market time is simply the
latest event's time.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

NS_PER_S = 1_000_000_000


class MarketClock:
    def __init__(
        self,
        speed: float,
        *,
        wall_ns: Callable[[], int] = time.time_ns,
        monotonic_ns: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        self.speed = speed
        self._wall_ns = wall_ns
        self._mono_ns = monotonic_ns
        self._anchor: tuple[int, int] | None = None  # (market ns, monotonic ns) at the first event
        self.last_event_ns = 0

    def wall_ns(self) -> int:
        """The exchange's clock (unix ns)."""
        return self._wall_ns()

    def saw(self, market_ns: int) -> None:
        """A market event stamped ``market_ns`` was delivered."""
        if self._anchor is None:
            self._anchor = (market_ns, self._mono_ns())
        if market_ns > self.last_event_ns:
            self.last_event_ns = market_ns

    def market_now_ns(self) -> int:
        """Market time now: what an order received now is stamped with in the matching engine."""
        anchor = self._anchor
        if anchor is None or math.isinf(self.speed):
            return self.last_event_ns
        paced = anchor[0] + int((self._mono_ns() - anchor[1]) * self.speed)
        return max(paced, self.last_event_ns)

    def market_at_wall(self, wall_ns: int) -> int:
        """The market time that corresponds to a wall time (a GTD expiry given in unix time).

        At max speed there is no fixed relation; the wall duration from now is used as is.
        """
        speed = 1.0 if math.isinf(self.speed) else self.speed
        return self.market_now_ns() + int((wall_ns - self.wall_ns()) * speed)

"""The equity curve and the portfolio snapshots of a run, sampled on a fixed grid of simulated time.

Grid: every ``interval`` (the bar interval for candles, ``market_data.bar_interval_s`` for ticks),
aligned to the epoch, from the last grid point before the first event. The point at boundary ``B``
is the portfolio's equity — cash plus positions at their latest marks, so unrealised P&L and every
fee paid are in — after every event stamped at or before ``B``. The runner calls
``sample_until(ts)`` before it hands over an event stamped ``ts``; stretches without data (a quiet
market) repeat the last equity, which is what holding through them is worth.

Cheap on purpose, since it runs once per bar. Equity moves only with fills and marks, and both
come from market data — a timer (an entry timeout, a time exit, a cancel taking effect) can send or
cancel orders but never fill one — so a point needs no clock advance to its boundary first; and
the point is the portfolio's ``last_equity``, the sum it worked out when it booked the last fill or
marked a held pair, rather than the Decimal sum over again.

Snapshots (``PortfolioSnapshotTaken``, the rows the dashboard reads) are taken at grid points every
``portfolio.snapshot_interval_s``; a long run keeps between ``max_snapshots`` and twice as many:
whenever twice that many exist, every other one is dropped and the spacing doubles, so they stay
evenly spaced.
"""

from __future__ import annotations

from decimal import Decimal

from galfriday.core.clock import SimClock
from galfriday.core.events import PortfolioSnapshotTaken
from galfriday.portfolio.manager import PortfolioManager


class EquitySampler:
    def __init__(
        self,
        clock: SimClock,
        portfolio: PortfolioManager,
        *,
        interval_ns: int,
        start_ns: int,
        snapshot_interval_ns: int,
        max_snapshots: int,
    ) -> None:
        self._clock = clock
        self._portfolio = portfolio
        self._interval = interval_ns
        self.points: list[tuple[int, Decimal]] = [(start_ns, portfolio.equity())]
        self.next_ns = start_ns + interval_ns
        self.snapshots: list[PortfolioSnapshotTaken] = []
        self._snapshot_every = max(1, snapshot_interval_ns // interval_ns)
        self._max_snapshots = max_snapshots
        self._since_snapshot = self._snapshot_every  # the first grid point gets one

    def sample_until(self, ts_ns: int) -> int:
        """Record every grid point before ``ts_ns``; return the next one (>= ``ts_ns``)."""
        boundary, interval, portfolio, points = self.next_ns, self._interval, self._portfolio, self.points
        while boundary < ts_ns:
            if self._since_snapshot + 1 < self._snapshot_every:  # _record without a snapshot, inlined
                points.append((boundary, portfolio.last_equity))
                self._since_snapshot += 1
            else:
                self._record(boundary)
            boundary += interval
        self.next_ns = boundary
        return boundary

    def finish(self, last_ns: int) -> None:
        """The final points: the grid up to the last event, and the last event's time if off-grid."""
        self.sample_until(last_ns + 1)
        if self.points[-1][0] != last_ns:
            self._record(last_ns)

    def _record(self, at_ns: int) -> None:
        self.points.append((at_ns, self._portfolio.last_equity))
        self._since_snapshot += 1
        if self._since_snapshot >= self._snapshot_every:
            self._since_snapshot = 0
            self._snapshot(at_ns)

    def _snapshot(self, at_ns: int) -> None:
        # A snapshot reads the clock (its timestamp, the day and week of the drawdowns): move it to
        # the boundary, firing any timer due by then first, as the next event would have.
        if at_ns > self._clock.timestamp_ns():
            self._clock.advance_to(at_ns)
        snapshots = self.snapshots
        snapshots.append(self._portfolio.snapshot())
        if len(snapshots) >= 2 * self._max_snapshots:
            # Keep every other one; the newest is dropped (the count is even), so the next is due a
            # whole new spacing after the last one kept.
            self.snapshots = snapshots[::2]
            self._since_snapshot = self._snapshot_every
            self._snapshot_every *= 2

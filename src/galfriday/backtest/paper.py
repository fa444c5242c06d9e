"""The paper replay: the backtest's kernel on an ``AsyncBus`` behind the write-ahead order journal.

What makes it a paper session rather than a backtest: every handler runs in its own task fed by
its own bounded queue (the live bus), and orders reach the simulated venue only through the
``OrderJournal`` — each intent is written to the database (PENDING_NEW) before the venue sees it,
each venue report is written before the kernel does. What it shares with the backtest: the very
kernel objects (``kernel.build_kernel``), the fill model, and the feed.

Clock: a ``SimClock`` advanced by the feed — not a ``LiveClock`` over a paced replay — because the
point is to compare orders and fills with the backtest's, and wall-clock pacing would make every
timer (entry timeouts, time exits, cancel latency) land at a slightly different market moment.
Each step (each timer that falls due, the venue matching the event, publishing it) is followed by
*settling*: waiting until every bus queue and the journal's write queue are empty, i.e. until
everything the step caused — orders written, sent, filled, reported, reacted to — has happened.
That is the SyncBus's "to completion" semantics, reached through real queues, tasks and database
writes. (A paper session on live data cannot settle like this, and does not need to: there the
market waits for nobody. This replay exists to prove the kernel behaves the same on both buses.)
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from dataclasses import dataclass

from galfriday.backtest.feeds import Feed
from galfriday.backtest.kernel import Kernel, build_kernel
from galfriday.backtest.recorder import RunRecorder
from galfriday.backtest.strategies import StrategySpec
from galfriday.config import Settings
from galfriday.core.bus import AsyncBus
from galfriday.core.clock import NS_PER_S, SimClock
from galfriday.core.events import CancelOrder, SubmitOrder
from galfriday.core.instruments import Instrument
from galfriday.sim.venue import SimulatedVenue
from galfriday.storage.db.database import Database
from galfriday.storage.db.repositories import FillRepository, OrderRepository
from galfriday.storage.recorders.orders import OrderJournal

_MAX_SETTLE_ROUNDS = 100_000


@dataclass
class PaperRun:
    recorder: RunRecorder  # ``venue_log``: what the venue was sent and answered, in order
    kernel: Kernel
    journal: OrderJournal
    events: int


class _RecordedVenue:
    """The venue as the journal sees it: each command is noted as it reaches the venue."""

    def __init__(self, venue: SimulatedVenue, recorder: RunRecorder) -> None:
        self._venue, self._recorder = venue, recorder

    def submit(self, command: SubmitOrder) -> None:
        self._recorder.venue_log.append(command)
        self._venue.submit(command)

    def cancel(self, command: CancelOrder) -> None:
        self._recorder.venue_log.append(command)
        self._venue.cancel(command)

    def attach(self, bus: object) -> None:
        raise AssertionError("the order journal takes the commands in a paper session")


async def run_paper_replay(
    settings: Settings,
    instruments: Mapping[str, Instrument],
    strategy: StrategySpec,
    feed: Feed,
    database: Database,
    *,
    seed: int = 0,
) -> PaperRun:
    """Replay ``feed`` through the kernel as a paper session (see the module docstring)."""
    events = iter(feed)
    first = next(events, None)
    if first is None:
        raise ValueError("the feed holds no market data")
    interval_ns = feed.bar_interval_s * NS_PER_S
    clock = SimClock((first.ts_event - 1) // interval_ns * interval_ns)
    bus = AsyncBus()
    journal = OrderJournal(OrderRepository(database.sessions), FillRepository(database.sessions), bus.publish)
    recorder = RunRecorder()
    kernel = build_kernel(
        bus,
        clock,
        settings,
        instruments,
        strategy,
        kind=feed.kind,
        bar_interval_s=feed.bar_interval_s,
        venue_publish=recorder.tap_reports(journal.on_report),
        seed=seed,
    )
    journal.attach(bus, _RecordedVenue(kernel.venue, recorder))
    recorder.attach(bus)
    await bus.start()
    count = 0
    try:
        for event in itertools.chain((first,), events):
            await _advance(clock, event.ts_event, bus, journal)
            kernel.match(event)
            await _settle(bus, journal)
            await bus.publish_wait(event)
            await _settle(bus, journal)
            count += 1
    finally:
        await bus.stop()
        await journal.close()
    return PaperRun(recorder, kernel, journal, count)


async def _advance(clock: SimClock, ts_ns: int, bus: AsyncBus, journal: OrderJournal) -> None:
    """Move the clock to ``ts_ns`` one due timer at a time, settling after each: a timer's
    consequences happen at its own time, as they do on the SyncBus (the clock would otherwise
    already read ``ts_ns`` when the handlers' tasks get to the timer's events)."""
    due = clock.next_fire_ns()
    while due is not None and due <= ts_ns:
        clock.advance_to(due)
        await _settle(bus, journal)
        due = clock.next_fire_ns()
    clock.advance_to(ts_ns)


async def _settle(bus: AsyncBus, journal: OrderJournal) -> None:
    """Wait until nothing is queued anywhere: every consequence of the last step has happened."""
    for _ in range(_MAX_SETTLE_ROUNDS):
        await asyncio.sleep(0)
        if journal.queue.pending:
            await journal.queue.flush()
            continue
        # The queue depths ``bus.stats()`` reports, without computing its latency percentiles.
        if not any(sub.mailbox is not None and sub.mailbox.items for sub in bus.subscriptions):
            return
    raise RuntimeError("the paper session never settled: a handler keeps publishing")

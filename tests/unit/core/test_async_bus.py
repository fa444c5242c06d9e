"""AsyncBus: per-subscriber FIFO order, isolation, non-blocking publish, backpressure, overflow."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from galfriday.core.bus import AsyncBus, Overflow
from galfriday.core.bus_stats import HandlerFailure
from galfriday.core.context import current_correlation_id
from galfriday.core.events import BarClosed, TimeEvent

from ._events import bar, tick


async def _until(predicate: Callable[[], bool]) -> None:
    async with asyncio.timeout(2.0):
        while not predicate():  # noqa: ASYNC110 - polling bus stats, there is no event to wait on
            await asyncio.sleep(0.001)


async def test_each_subscriber_receives_events_in_publish_order() -> None:
    bus = AsyncBus()
    a: list[str] = []
    b: list[str] = []
    bus.subscribe(TimeEvent, lambda e: a.append(e.name))

    async def slow(e: TimeEvent) -> None:
        await asyncio.sleep(0)
        b.append(e.name)

    bus.subscribe(TimeEvent, slow)
    await bus.start()
    names = [str(i) for i in range(500)]
    for n in names:
        bus.publish(tick(n))
    await bus.stop()
    assert a == names
    assert b == names


async def test_publish_does_not_wait_for_a_slow_handler() -> None:
    bus = AsyncBus()
    release = asyncio.Event()
    done: list[str] = []

    async def blocked(e: TimeEvent) -> None:
        await release.wait()
        done.append(e.name)

    bus.subscribe(TimeEvent, blocked)
    await bus.start()
    started = time.perf_counter()
    for i in range(1_000):
        bus.publish(tick(str(i)))
    assert time.perf_counter() - started < 0.5  # returned without any handler having run
    assert done == []
    release.set()
    await bus.stop()
    assert len(done) == 1_000


async def test_failing_handler_is_isolated_and_correlation_id_is_set() -> None:
    bus = AsyncBus()
    seen: list[str] = []
    failures: list[HandlerFailure] = []
    bus.add_failure_listener(failures.append)

    def broken(e: TimeEvent) -> None:
        raise KeyError("missing")

    bus.subscribe(TimeEvent, broken, name="broken", critical=True)
    bus.subscribe(TimeEvent, lambda e: seen.append(current_correlation_id()), name="ok")
    await bus.start()
    for i in range(3):
        bus.publish(tick(str(i), correlation_id=f"c{i}"))
    await bus.stop()

    assert seen == ["c0", "c1", "c2"]
    assert [f.correlation_id for f in failures] == ["c0", "c1", "c2"]
    assert [f.repeated for f in failures] == [False, False, True]  # default threshold 3 in 60 s
    stats = {s["name"]: s for s in bus.stats()}
    assert stats["broken"]["errors"] == 3
    assert stats["ok"]["calls"] == 3


async def test_full_queue_drops_newest_by_default_and_reports_a_critical_overflow() -> None:
    bus = AsyncBus()
    got: list[str] = []
    failures: list[HandlerFailure] = []
    bus.add_failure_listener(failures.append)
    sub = bus.subscribe(TimeEvent, lambda e: got.append(e.name), maxsize=3, critical=True, name="exec")
    for i in range(5):  # not started: the queue fills up
        bus.publish(tick(str(i)))
    assert sub.stats.dropped == 2
    assert [f.reason for f in failures] == ["overflow", "overflow"]
    await bus.start()
    await bus.stop()
    assert got == ["0", "1", "2"]


async def test_drop_oldest_keeps_the_freshest_events() -> None:
    bus = AsyncBus()
    got: list[str] = []
    bus.subscribe(TimeEvent, lambda e: got.append(e.name), maxsize=3, overflow=Overflow.DROP_OLDEST)
    for i in range(5):
        bus.publish(tick(str(i)))
    await bus.start()
    await bus.stop()
    assert got == ["2", "3", "4"]


async def test_publish_wait_applies_backpressure_instead_of_dropping() -> None:
    bus = AsyncBus()
    got: list[str] = []
    sub = bus.subscribe(TimeEvent, lambda e: got.append(e.name), maxsize=2)
    await bus.start()
    for i in range(50):
        await bus.publish_wait(tick(str(i)))
        assert len(sub.mailbox.items) <= 2  # type: ignore[union-attr]
    await bus.stop()
    assert got == [str(i) for i in range(50)]
    assert sub.stats.dropped == 0


async def test_queue_depth_and_latencies_are_exposed() -> None:
    bus = AsyncBus()
    bus.subscribe(BarClosed, lambda e: None, name="bars")
    for _ in range(7):
        bus.publish(bar())
    assert bus.stats()[0]["queue_depth"] == 7
    await bus.start()
    await _until(lambda: bus.stats()[0]["calls"] == 7)
    stats = bus.stats()[0]
    assert stats["queue_depth"] == 0
    assert stats["delivery_p99_us"] is not None and stats["handler_p50_us"] is not None
    await bus.stop()


async def test_subscribing_after_start_receives_later_events() -> None:
    bus = AsyncBus()
    await bus.start()
    got: list[str] = []
    bus.subscribe(TimeEvent, lambda e: got.append(e.name))
    bus.publish(tick("late"))
    await _until(lambda: got == ["late"])
    await bus.stop()


async def test_a_group_sees_different_event_classes_in_publish_order() -> None:
    """A slow handler for one class must not let a later event of another class overtake it."""
    bus = AsyncBus()
    grouped: list[str] = []
    separate: list[str] = []

    async def slow_bar(e: BarClosed) -> None:
        await asyncio.sleep(0.01)
        grouped.append("bar")

    async def slow_bar_separate(e: BarClosed) -> None:
        await asyncio.sleep(0.01)
        separate.append("bar")

    bus.subscribe(BarClosed, slow_bar, group="portfolio")
    bus.subscribe(TimeEvent, lambda e: grouped.append("tick"), group="portfolio")
    bus.subscribe(BarClosed, slow_bar_separate)
    bus.subscribe(TimeEvent, lambda e: separate.append("tick"))
    assert len({s.mailbox for s in bus.subscriptions}) == 3  # the group shares one queue
    await bus.start()
    bus.publish(bar())
    bus.publish(tick("t"))
    await bus.stop()
    assert grouped == ["bar", "tick"]
    assert separate == ["tick", "bar"]  # without a group, separate queues race


async def test_unsubscribing_one_member_of_a_group_skips_its_queued_events() -> None:
    bus = AsyncBus()
    got: list[str] = []
    a = bus.subscribe(TimeEvent, lambda e: got.append("a:" + e.name), group="g")
    bus.subscribe(TimeEvent, lambda e: got.append("b:" + e.name), group="g")
    bus.publish(tick("1"))
    bus.unsubscribe(a)
    bus.publish(tick("2"))
    await bus.start()
    await bus.stop()
    assert got == ["b:1", "b:2"]

"""SyncBus: deterministic order, base-class routing, error isolation, failure escalation."""

from __future__ import annotations

import logging

import pytest

from galfriday.core.bus import SyncBus
from galfriday.core.bus_stats import HandlerFailure
from galfriday.core.context import current_correlation_id
from galfriday.core.errors import BusError
from galfriday.core.events import BarClosed, Event, TimeEvent

from ._events import bar, tick


def test_handlers_run_in_subscription_order_and_base_class_subscribers_see_everything() -> None:
    bus = SyncBus()
    calls: list[str] = []
    bus.subscribe(TimeEvent, lambda e: calls.append(f"a:{e.name}"))
    bus.subscribe(Event, lambda e: calls.append(f"all:{type(e).__name__}"))
    bus.subscribe(TimeEvent, lambda e: calls.append(f"b:{e.name}"))
    bus.subscribe(BarClosed, lambda e: calls.append("bar"))

    bus.publish(tick("x"))
    bus.publish(bar())

    assert calls == ["a:x", "all:TimeEvent", "b:x", "all:BarClosed", "bar"]


def test_events_published_by_handlers_are_delivered_breadth_first() -> None:
    bus = SyncBus()
    calls: list[str] = []

    def first(e: TimeEvent) -> None:
        calls.append(f"first:{e.name}")
        if e.name == "outer":
            bus.publish(tick("inner"))

    bus.subscribe(TimeEvent, first)
    bus.subscribe(TimeEvent, lambda e: calls.append(f"second:{e.name}"))
    bus.publish(tick("outer"))

    assert calls == ["first:outer", "second:outer", "first:inner", "second:inner"]


def test_a_failing_handler_is_isolated_counted_and_logged_with_correlation_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = SyncBus()
    seen: list[str] = []
    failures: list[HandlerFailure] = []
    bus.add_failure_listener(failures.append)

    def broken(e: TimeEvent) -> None:
        raise ValueError("boom")

    bus.subscribe(TimeEvent, broken, name="broken")
    bus.subscribe(TimeEvent, lambda e: seen.append(current_correlation_id()), name="healthy")

    with caplog.at_level(logging.ERROR):
        bus.publish(tick("x", correlation_id="corr-1"))
        bus.publish(tick("y", correlation_id="corr-2"))

    assert seen == ["corr-1", "corr-2"]  # delivery continued, with the event's correlation id
    stats = {s["name"]: s for s in bus.stats()}
    assert stats["broken"]["errors"] == 2
    assert stats["broken"]["calls"] == 2
    assert stats["healthy"]["errors"] == 0
    assert [f.correlation_id for f in failures] == ["corr-1", "corr-2"]
    assert all(isinstance(f.error, ValueError) and not f.critical for f in failures)
    assert [r.correlation_id for r in caplog.records] == ["corr-1", "corr-2"]
    assert current_correlation_id() == ""  # context restored after dispatch


def test_repeated_failures_of_a_critical_handler_are_escalated_within_the_window() -> None:
    now = [0]
    bus = SyncBus(critical_failure_threshold=3, critical_failure_window_s=60, now_ns=lambda: now[0])
    failures: list[HandlerFailure] = []
    bus.add_failure_listener(failures.append)

    def broken(e: TimeEvent) -> None:
        raise RuntimeError("critical module down")

    bus.subscribe(TimeEvent, broken, name="risk", critical=True)
    for t_s in (0, 10, 100, 110, 120):  # the first two age out of the 60 s window
        now[0] = t_s * 1_000_000_000
        bus.publish(tick("x"))

    assert [f.repeated for f in failures] == [False, False, False, False, True]
    assert all(f.critical for f in failures)


def test_a_raising_failure_listener_does_not_break_dispatch() -> None:
    bus = SyncBus()
    seen: list[str] = []

    def bad_listener(f: HandlerFailure) -> None:
        raise RuntimeError("listener bug")

    bus.add_failure_listener(bad_listener)
    bus.subscribe(TimeEvent, lambda e: 1 / 0)
    bus.subscribe(TimeEvent, lambda e: seen.append(e.name))
    bus.publish(tick("x"))
    assert seen == ["x"]


def test_unsubscribe_stops_delivery_and_keeps_counts() -> None:
    bus = SyncBus()
    seen: list[str] = []
    sub = bus.subscribe(TimeEvent, lambda e: seen.append(e.name), name="s")
    bus.publish(tick("a"))
    bus.unsubscribe(sub)
    bus.publish(tick("b"))
    assert seen == ["a"]
    assert sub.stats.calls == 1


def test_coroutine_handlers_are_refused() -> None:
    bus = SyncBus()

    async def handler(e: TimeEvent) -> None:
        return None

    with pytest.raises(BusError, match="coroutine"):
        bus.subscribe(TimeEvent, handler)


def test_handler_latency_is_sampled() -> None:
    bus = SyncBus(latency_sample_every=4)
    sub = bus.subscribe(TimeEvent, lambda e: None)
    for i in range(40):
        bus.publish(tick(str(i)))
    assert sub.stats.handler_ns.count == 10
    assert bus.stats()[0]["handler_p99_us"] is not None

"""SimClock fires timers in time order with the right "now"; LiveClock fires on the loop."""

from __future__ import annotations

import asyncio
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from galfriday.core.clock import LiveClock, SimClock
from galfriday.core.errors import ClockError
from galfriday.core.events import TimeEvent


def test_timers_fire_in_time_order_with_clock_at_fire_time() -> None:
    clock = SimClock(start_ns=1_000)
    seen: list[tuple[str, int, int]] = []

    def record(event: TimeEvent) -> None:
        seen.append((event.name, event.ts_event, clock.timestamp_ns()))

    clock.set_timer("every-300", 300, record)
    clock.set_time_alert("at-1450", 1_450, record)
    clock.set_timer("every-200", 200, record, stop_ns=1_600)

    fired = clock.advance_to(2_000)

    assert seen == [
        ("every-200", 1_200, 1_200),
        ("every-300", 1_300, 1_300),
        ("every-200", 1_400, 1_400),
        ("at-1450", 1_450, 1_450),
        ("every-300", 1_600, 1_600),  # tie: every-300 was created first
        ("every-200", 1_600, 1_600),
        ("every-300", 1_900, 1_900),
    ]
    assert fired == len(seen)
    assert clock.timestamp_ns() == 2_000
    assert clock.timer_names == ["every-300"]


def test_ties_fire_in_the_order_they_were_set() -> None:
    clock = SimClock()
    order: list[str] = []
    for name in ("c", "a", "b"):
        clock.set_time_alert(name, 10, lambda e: order.append(e.name))
    clock.advance_to(10)
    assert order == ["c", "a", "b"]


def test_cancelled_timer_never_fires_and_name_can_be_reused() -> None:
    clock = SimClock()
    seen: list[str] = []
    clock.set_timer("t", 10, lambda e: seen.append("old"))
    clock.advance_to(10)
    clock.cancel_timer("t")
    clock.set_timer("t", 25, lambda e: seen.append("new"))
    clock.advance_to(100)
    assert seen == ["old", "new", "new", "new"]  # old at 10; new at 35, 60, 85


def test_a_callback_can_set_a_timer_that_fires_in_the_same_advance() -> None:
    clock = SimClock()
    seen: list[int] = []

    def first(event: TimeEvent) -> None:
        clock.set_time_alert("second", 7, lambda e2: seen.append(e2.ts_event))

    clock.set_time_alert("first", 5, first)
    clock.advance_to(10)
    assert seen == [7]


def test_time_cannot_go_backwards_and_bad_timers_are_refused() -> None:
    clock = SimClock(start_ns=100)
    with pytest.raises(ClockError):
        clock.advance_to(99)
    with pytest.raises(ClockError):
        clock.set_timer("zero", 0, lambda e: None)
    clock.set_timer("dup", 5, lambda e: None)
    with pytest.raises(ClockError):
        clock.set_timer("dup", 5, lambda e: None)


@given(st.lists(st.tuples(st.integers(1, 500), st.integers(1, 1_000)), min_size=1, max_size=12))
def test_property_fire_times_are_non_decreasing_and_complete(specs: list[tuple[int, int]]) -> None:
    clock = SimClock()
    fired: list[int] = []
    for i, (interval, stop) in enumerate(specs):
        clock.set_timer(f"t{i}", interval, lambda e: fired.append(e.ts_event), stop_ns=stop)
    clock.advance_to(1_000)
    assert fired == sorted(fired)
    expected = sum(stop // interval for interval, stop in specs)
    assert len(fired) == expected


async def test_live_clock_fires_timer_and_alert_on_the_loop() -> None:
    clock = LiveClock()
    hits: list[str] = []
    clock.set_timer("tick", 10_000_000, lambda e: hits.append(e.name))  # 10 ms
    clock.set_time_alert("once", time.time_ns() + 15_000_000, lambda e: hits.append(e.name))
    await asyncio.sleep(0.06)
    clock.cancel_all()
    assert hits.count("once") == 1
    assert hits.count("tick") >= 3
    count = len(hits)
    await asyncio.sleep(0.03)
    assert len(hits) == count  # nothing fires after cancel

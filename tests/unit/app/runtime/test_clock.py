"""AcceleratedClock: runs N x wall time, only ever moves forward to the data, fires timers on time."""

from __future__ import annotations

import asyncio
import time

import pytest

from galfriday.app.runtime.clock import AcceleratedClock, session_clock
from galfriday.core.clock import NS_PER_S, LiveClock
from galfriday.core.errors import ClockError
from galfriday.core.events import TimeEvent


def test_real_time_is_the_live_clock_and_faster_is_accelerated() -> None:
    assert isinstance(session_clock(1), LiveClock)
    assert isinstance(session_clock(30), AcceleratedClock)
    with pytest.raises(ClockError, match="must be >= 1"):
        AcceleratedClock(0.5)


async def test_it_runs_speed_times_faster_than_the_wall() -> None:
    clock = AcceleratedClock(50)
    start, wall = clock.timestamp_ns(), time.monotonic_ns()
    await asyncio.sleep(0.1)
    ratio = (clock.timestamp_ns() - start) / (time.monotonic_ns() - wall)
    assert ratio == pytest.approx(50, rel=0.05)


def test_following_the_data_moves_forward_never_back() -> None:
    clock = AcceleratedClock(10)
    now = clock.timestamp_ns()
    clock.follow(now + 3600 * NS_PER_S)
    assert clock.timestamp_ns() >= now + 3600 * NS_PER_S
    later = clock.timestamp_ns()
    clock.follow(now)  # old data: the clock stays where it is
    assert clock.timestamp_ns() >= later


async def test_timers_fire_in_accelerated_time_with_the_clock_s_time() -> None:
    clock = AcceleratedClock(100)
    fired: list[TimeEvent] = []
    start = clock.timestamp_ns()
    clock.set_timer("tick", 5 * NS_PER_S, fired.append)  # every 50 ms of wall time
    clock.set_time_alert("once", start + 2 * NS_PER_S, fired.append)
    await asyncio.sleep(0.13)
    clock.cancel_timer("tick")
    names = [e.name for e in fired]
    assert names.count("once") == 1 and names.count("tick") == 2
    assert all(e.ts_event >= start for e in fired)
    assert fired[0].name == "once" and fired[0].ts_event >= start + 2 * NS_PER_S
    assert clock.timer_names == []


async def test_a_jump_forward_brings_the_timers_it_passes_due_at_once() -> None:
    clock = AcceleratedClock(2)
    fired: list[TimeEvent] = []
    due = clock.timestamp_ns() + 60 * NS_PER_S  # 30 s of wall time away
    clock.set_time_alert("far", due, fired.append)
    clock.set_time_alert("farther", due + 3600 * NS_PER_S, fired.append)
    clock.follow(due + NS_PER_S)
    await asyncio.sleep(0.01)
    assert [e.name for e in fired] == ["far"] and fired[0].ts_event > due
    clock.cancel_all()
    assert clock.timer_names == []


def test_timer_names_are_unique_and_need_a_name() -> None:
    clock = AcceleratedClock(2)
    with pytest.raises(ClockError, match="a timer needs a name"):
        clock.set_time_alert("", 0, print)
    with pytest.raises(ClockError, match="interval must be positive"):
        clock.set_timer("t", 0, print)

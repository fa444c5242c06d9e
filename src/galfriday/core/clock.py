"""Clocks: the only source of "now" for the trading kernel.

``LiveClock`` reads the wall clock and fires timers on the asyncio loop. ``SimClock`` is moved by
the backtest engine; ``advance_to`` fires every due timer in time order (ties in the order the
timers were created), with ``timestamp_ns()`` equal to each timer's own fire time while its callback runs,
so code under test cannot tell a replay from the real thing.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Protocol

from galfriday.core.errors import ClockError
from galfriday.core.events import TimeEvent

TimerCallback = Callable[[TimeEvent], None]
NS_PER_S = 1_000_000_000


class Clock(Protocol):
    def timestamp_ns(self) -> int: ...

    def set_time_alert(self, name: str, at_ns: int, callback: TimerCallback) -> None: ...

    def set_timer(
        self,
        name: str,
        interval_ns: int,
        callback: TimerCallback,
        *,
        start_ns: int | None = None,
        stop_ns: int | None = None,
    ) -> None: ...

    def cancel_timer(self, name: str) -> None: ...

    @property
    def timer_names(self) -> list[str]: ...


@dataclass
class _Timer:
    name: str
    callback: TimerCallback
    next_ns: int
    interval_ns: int  # 0 for a one-shot alert
    stop_ns: int | None
    seq: int = 0  # creation order: breaks ties between timers due at the same instant

    def advance(self) -> bool:
        """Move to the next fire time; False when the timer is finished."""
        if self.interval_ns == 0:
            return False
        self.next_ns += self.interval_ns
        return self.stop_ns is None or self.next_ns <= self.stop_ns


def _new_alert(name: str, at_ns: int, callback: TimerCallback, taken: Container[str], seq: int) -> _Timer:
    if not name:
        raise ClockError("a time alert needs a name")
    if name in taken:
        raise ClockError(f"a timer named {name!r} already exists")
    return _Timer(name, callback, at_ns, 0, None, seq)


def _new_repeating(
    name: str,
    interval_ns: int,
    callback: TimerCallback,
    taken: Container[str],
    seq: int,
    *,
    first_from_ns: int,
    stop_ns: int | None,
) -> _Timer | None:
    """A repeating timer first due one interval after ``first_from_ns``; None if it would never fire."""
    if not name:
        raise ClockError("a timer needs a name")
    if interval_ns <= 0:
        raise ClockError(f"timer {name!r}: interval must be positive, got {interval_ns} ns")
    if name in taken:
        raise ClockError(f"a timer named {name!r} already exists")
    first = first_from_ns + interval_ns
    if stop_ns is not None and first > stop_ns:
        return None
    return _Timer(name, callback, first, interval_ns, stop_ns, seq)


class SimClock:
    """Simulated time for backtests: deterministic, moved only by ``advance_to``."""

    def __init__(self, start_ns: int = 0) -> None:
        self._now = start_ns
        self._timers: dict[str, _Timer] = {}
        self._heap: list[tuple[int, int, _Timer]] = []
        self._seq = itertools.count()

    def timestamp_ns(self) -> int:
        return self._now

    def set_time(self, ns: int) -> None:
        """Jump to ``ns`` without firing anything (only for initialising a replay)."""
        if self._heap:
            raise ClockError("set_time with timers pending would skip them; use advance_to")
        self._now = ns

    def _push(self, timer: _Timer) -> None:
        heapq.heappush(self._heap, (timer.next_ns, timer.seq, timer))

    def set_time_alert(self, name: str, at_ns: int, callback: TimerCallback) -> None:
        timer = _new_alert(name, max(at_ns, self._now), callback, self._timers, next(self._seq))
        self._timers[name] = timer
        self._push(timer)

    def set_timer(
        self,
        name: str,
        interval_ns: int,
        callback: TimerCallback,
        *,
        start_ns: int | None = None,
        stop_ns: int | None = None,
    ) -> None:
        timer = _new_repeating(
            name, interval_ns, callback, self._timers, next(self._seq),
            first_from_ns=start_ns if start_ns is not None else self._now, stop_ns=stop_ns,
        )
        if timer is not None:
            self._timers[name] = timer
            self._push(timer)

    def cancel_timer(self, name: str) -> None:
        # Its heap entry stays behind and is skipped: it no longer is the timer under that name.
        self._timers.pop(name, None)

    @property
    def timer_names(self) -> list[str]:
        return sorted(self._timers)

    def next_fire_ns(self) -> int | None:
        self._discard_cancelled()
        return self._heap[0][0] if self._heap else None

    def _discard_cancelled(self) -> None:
        heap = self._heap
        while heap and self._timers.get(heap[0][2].name) is not heap[0][2]:
            heapq.heappop(heap)

    def advance_to(self, ns: int) -> int:
        """Fire every timer due at or before ``ns`` in time order; return how many fired."""
        if ns < self._now:
            raise ClockError(f"time cannot go backwards: now={self._now}, asked {ns}")
        fired = 0
        heap = self._heap
        while True:
            self._discard_cancelled()
            if not heap or heap[0][0] > ns:
                break
            fire_ns, _, timer = heapq.heappop(heap)
            self._now = fire_ns
            if timer.advance():
                self._push(timer)
            else:
                self._timers.pop(timer.name, None)
            timer.callback(TimeEvent(ts_event=fire_ns, ts_init=fire_ns, name=timer.name))
            fired += 1
        self._now = ns
        return fired


class LiveClock:
    """Wall-clock time (UTC ns) with timers scheduled on the running asyncio loop."""

    def __init__(self) -> None:
        self._handles: dict[str, asyncio.TimerHandle] = {}

    def timestamp_ns(self) -> int:
        return time.time_ns()

    def _schedule(self, timer: _Timer) -> None:
        loop = asyncio.get_running_loop()
        delay = max(0.0, (timer.next_ns - time.time_ns()) / NS_PER_S)
        self._handles[timer.name] = loop.call_later(delay, self._fire, timer)

    def _fire(self, timer: _Timer) -> None:
        if timer.advance():
            self._schedule(timer)
        else:
            self._handles.pop(timer.name, None)
        now = time.time_ns()
        timer.callback(TimeEvent(ts_event=now, ts_init=now, name=timer.name))

    def set_time_alert(self, name: str, at_ns: int, callback: TimerCallback) -> None:
        self._schedule(_new_alert(name, at_ns, callback, self._handles, 0))

    def set_timer(
        self,
        name: str,
        interval_ns: int,
        callback: TimerCallback,
        *,
        start_ns: int | None = None,
        stop_ns: int | None = None,
    ) -> None:
        timer = _new_repeating(
            name, interval_ns, callback, self._handles, 0,
            first_from_ns=start_ns if start_ns is not None else time.time_ns(), stop_ns=stop_ns,
        )
        if timer is not None:
            self._schedule(timer)

    def cancel_timer(self, name: str) -> None:
        handle = self._handles.pop(name, None)
        if handle is not None:
            handle.cancel()

    @property
    def timer_names(self) -> list[str]:
        return sorted(self._handles)

    def cancel_all(self) -> None:
        for name in list(self._handles):
            self.cancel_timer(name)

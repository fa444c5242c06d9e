"""The session's clock: ``LiveClock`` for real time, ``AcceleratedClock`` for accelerated market data.

Against Kraken (or the exchange simulator at 1x) market data is stamped with wall time, and the
session runs on ``core.clock.LiveClock``. An accelerated simulator (``--market-speed 30``, the
paper sessions of tests and benchmarks) stamps its data with *market* time running 30x faster
than the wall. On a wall clock every bar would then lie in the future and never close, and every
timer (entry timeout, snapshot, staleness) would run 30x too slow for the market it watches.

``AcceleratedClock`` runs ``speed`` times faster than the wall and follows the data: each market
timestamp later than "now" moves the clock forward to it (never back), so the session's time is
the market's, a hair behind (the network delay), and bars close on the market's boundaries. Timers
are scheduled on the running asyncio loop like ``LiveClock``'s; one that comes due early (the
clock moved less than planned) is re-armed for the rest.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from galfriday.core.clock import NS_PER_S, LiveClock, TimerCallback
from galfriday.core.errors import ClockError
from galfriday.core.events import TimeEvent

#: A forward jump of this much market time re-arms every timer (smaller ones are not worth it).
RESCHEDULE_AFTER_NS = NS_PER_S


@dataclass(slots=True)
class _Timer:
    callback: TimerCallback
    next_ns: int
    interval_ns: int  # 0 for a one-shot alert
    stop_ns: int | None
    handle: asyncio.TimerHandle | None = None


class AcceleratedClock:
    """A live clock running ``speed`` x wall time, moved forward by the data it is shown (``follow``)."""

    def __init__(self, speed: float) -> None:
        if not speed >= 1:
            raise ClockError(f"market speed must be >= 1 (1 = real time), got {speed}")
        self.speed = speed
        self._anchor_ns = time.time_ns()
        self._anchor_mono = time.monotonic_ns()
        self._timers: dict[str, _Timer] = {}

    def timestamp_ns(self) -> int:
        return self._anchor_ns + int((time.monotonic_ns() - self._anchor_mono) * self.speed)

    def follow(self, market_ns: int) -> None:
        """Market data stamped ``market_ns`` arrived: if it is ahead of the clock, jump to it.

        After a jump of ``RESCHEDULE_AFTER_NS`` or more every timer is re-armed, so none fires
        later than that behind the new time (small jumps only make timers a little late).
        """
        jump = market_ns - self.timestamp_ns()
        if jump <= 0:
            return
        self._anchor_ns = market_ns
        self._anchor_mono = time.monotonic_ns()
        if jump >= RESCHEDULE_AFTER_NS:
            for name, timer in self._timers.items():
                if timer.handle is not None:
                    timer.handle.cancel()
                self._schedule(name, timer)

    # -- timers -----------------------------------------------------------------------------------

    def set_time_alert(self, name: str, at_ns: int, callback: TimerCallback) -> None:
        self._add(name, _Timer(callback, at_ns, 0, None))

    def set_timer(
        self,
        name: str,
        interval_ns: int,
        callback: TimerCallback,
        *,
        start_ns: int | None = None,
        stop_ns: int | None = None,
    ) -> None:
        if interval_ns <= 0:
            raise ClockError(f"timer {name!r}: interval must be positive, got {interval_ns} ns")
        first = (start_ns if start_ns is not None else self.timestamp_ns()) + interval_ns
        if stop_ns is not None and first > stop_ns:
            return
        self._add(name, _Timer(callback, first, interval_ns, stop_ns))

    def cancel_timer(self, name: str) -> None:
        timer = self._timers.pop(name, None)
        if timer is not None and timer.handle is not None:
            timer.handle.cancel()

    @property
    def timer_names(self) -> list[str]:
        return sorted(self._timers)

    def cancel_all(self) -> None:
        for name in list(self._timers):
            self.cancel_timer(name)

    def _add(self, name: str, timer: _Timer) -> None:
        if not name:
            raise ClockError("a timer needs a name")
        if name in self._timers:
            raise ClockError(f"a timer named {name!r} already exists")
        self._timers[name] = timer
        self._schedule(name, timer)

    def _schedule(self, name: str, timer: _Timer) -> None:
        delay_s = max(0.0, (timer.next_ns - self.timestamp_ns()) / self.speed / NS_PER_S)
        timer.handle = asyncio.get_running_loop().call_later(delay_s, self._fire, name, timer)

    def _fire(self, name: str, timer: _Timer) -> None:
        if self._timers.get(name) is not timer:
            return  # canceled (or replaced) after this call was scheduled
        now = self.timestamp_ns()
        if now < timer.next_ns:
            self._schedule(name, timer)  # the clock moved less than the wall suggested
            return
        if timer.interval_ns and (
            timer.stop_ns is None or timer.next_ns + timer.interval_ns <= timer.stop_ns
        ):
            timer.next_ns += timer.interval_ns
            self._schedule(name, timer)
        else:
            del self._timers[name]
        timer.callback(TimeEvent(ts_event=now, ts_init=now, name=name))


SessionClock = LiveClock | AcceleratedClock


def session_clock(market_speed: float) -> SessionClock:
    """``LiveClock`` at real time; an ``AcceleratedClock`` for market data replayed faster."""
    return LiveClock() if market_speed == 1 else AcceleratedClock(market_speed)

"""Rate limiter and de-duplicator on an injected clock."""

from __future__ import annotations

from galfriday.core.types import AlertSeverity
from galfriday.monitoring.alerting import Alert
from galfriday.monitoring.alerting.throttle import Deduplicator, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def alert(title: str = "CPU high", message: str = "97%") -> Alert:
    return Alert(AlertSeverity.WARNING, title, message, "monitoring", 1)


def test_rate_limiter_is_a_sliding_window() -> None:
    clock = Clock()
    limiter = RateLimiter(2, 60.0, clock)

    assert limiter.try_acquire() and limiter.try_acquire()
    assert not limiter.try_acquire()
    assert limiter.seconds_until_room() == 60.0
    clock.t += 59.9
    assert not limiter.try_acquire()
    clock.t += 0.1
    assert limiter.try_acquire()
    limiter.record()  # a bypassing delivery still takes room
    assert not limiter.try_acquire()


def test_repeats_within_the_window_become_one_summary_with_the_count() -> None:
    clock = Clock()
    dedupe = Deduplicator(300.0, clock)

    assert dedupe.admit(alert(message="97%"))
    assert not dedupe.admit(alert(message="98%"))  # same kind: numbers in the message vary
    assert not dedupe.admit(alert(message="99%"))
    assert dedupe.admit(alert(title="Memory high"))
    assert dedupe.expired(now_ns=5) == []
    assert dedupe.seconds_until_next_expiry() == 300.0

    clock.t += 300
    summaries = dedupe.expired(now_ns=5)

    assert [(s.title, s.repeats, s.ts_ns) for s in summaries] == [("CPU high", 2, 5)]
    assert summaries[0].message == "97% [repeated 2 more time(s) within 300s]"
    assert dedupe.suppressed == 2
    assert dedupe.admit(alert())  # a new window


def test_close_all_flushes_open_windows_at_shutdown() -> None:
    dedupe = Deduplicator(300.0, Clock())
    dedupe.admit(alert())
    dedupe.admit(alert())

    assert [s.repeats for s in dedupe.expired(now_ns=1, close_all=True)] == [1]
    assert dedupe.seconds_until_next_expiry() is None


def test_a_zero_window_deduplicates_nothing() -> None:
    dedupe = Deduplicator(0.0, Clock())

    assert dedupe.admit(alert()) and dedupe.admit(alert())

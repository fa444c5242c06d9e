"""The breaker's state machine on an injected clock."""

from __future__ import annotations

import pytest

from galfriday.kraken.circuit_breaker import CircuitBreaker, CircuitOpenError, CircuitState


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock, **kwargs: float) -> CircuitBreaker:
    settings: dict[str, float] = {
        "max_consecutive_failures": 3,
        "max_failures_in_window": 5,
        "window_s": 60.0,
        "cool_down_s": 30.0,
    }
    settings.update(kwargs)
    return CircuitBreaker("kraken-test", now=clock, **settings)  # type: ignore[arg-type]


def fail(b: CircuitBreaker, times: int = 1) -> None:
    for _ in range(times):
        b.before_call()
        b.record_failure()


def test_opens_after_consecutive_failures_and_fails_fast() -> None:
    clock = Clock()
    b = breaker(clock)
    fail(b, 2)
    assert b.state is CircuitState.CLOSED
    fail(b)
    assert b.state is CircuitState.OPEN
    clock.now += 10
    with pytest.raises(CircuitOpenError, match=r"call not sent; the API is probed again in 20\.0 s") as info:
        b.before_call()
    assert info.value.retry_after_s == pytest.approx(20.0)
    stats = b.stats()
    assert (stats.state, stats.consecutive_failures, stats.rejected_calls, stats.times_opened) == (
        CircuitState.OPEN,
        3,
        1,
        1,
    )


def test_a_success_resets_the_consecutive_count() -> None:
    b = breaker(Clock())
    fail(b, 2)
    b.before_call()
    b.record_success()
    fail(b, 2)
    assert b.state is CircuitState.CLOSED


def test_opens_on_too_many_failures_in_the_window() -> None:
    clock = Clock()
    b = breaker(clock)
    for _ in range(2):  # never three in a row, but four within 10 s ...
        fail(b, 2)
        b.before_call()
        b.record_success()
        clock.now += 5
    assert b.state is CircuitState.CLOSED
    fail(b)  # ... and the fifth within 60 s opens it
    assert b.state is CircuitState.OPEN
    assert (b.stats().failures_in_window, b.stats().consecutive_failures) == (5, 1)


def test_old_failures_leave_the_window() -> None:
    clock = Clock()
    b = breaker(clock)
    for _ in range(6):
        fail(b, 2)
        b.record_success()
        clock.now += 31  # only the last two pairs are ever within 60 s
    assert b.state is CircuitState.CLOSED
    assert b.stats().failures_in_window == 2  # the last pair is 31 s old, the one before 62 s


def test_half_open_after_cool_down_then_closed_on_success() -> None:
    clock = Clock()
    b = breaker(clock)
    fail(b, 3)
    clock.now += 30
    assert b.state is CircuitState.HALF_OPEN
    b.before_call()  # the one trial call
    with pytest.raises(CircuitOpenError):
        b.before_call()  # a second caller waits for the trial's verdict
    b.record_success()
    assert b.state is CircuitState.CLOSED
    fail(b, 2)
    assert b.state is CircuitState.CLOSED  # counts started afresh


def test_half_open_failure_reopens_for_another_cool_down() -> None:
    clock = Clock()
    b = breaker(clock)
    fail(b, 3)
    clock.now += 30
    fail(b)
    assert b.state is CircuitState.OPEN
    clock.now += 29.9
    assert b.state is CircuitState.OPEN
    clock.now += 0.1
    assert b.state is CircuitState.HALF_OPEN
    assert b.stats().times_opened == 2


def test_abandoned_trial_frees_its_slot() -> None:
    clock = Clock()
    b = breaker(clock)
    fail(b, 3)
    clock.now += 30
    b.before_call()
    b.call_abandoned()  # e.g. the task was cancelled mid-request
    b.before_call()  # another trial may go
    b.record_success()
    assert b.state is CircuitState.CLOSED


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError, match=">= 1"):
        CircuitBreaker("x", max_consecutive_failures=0)
    with pytest.raises(ValueError, match="positive"):
        CircuitBreaker("x", cool_down_s=0)

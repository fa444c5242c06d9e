"""A circuit breaker: stop calling an API that keeps failing, then probe it carefully.

Hammering a failing Kraken makes things worse: repeated auth errors end in
``EGeneral:Temporary lockout`` and calls during a rate-limit lockout extend it. So:

* **closed** (normal): calls go through; failures are counted.
* **open**: after ``max_consecutive_failures`` failures in a row, or ``max_failures_in_window``
  failures within ``window_s``, every call fails fast with ``CircuitOpenError`` (nothing is sent)
  for ``cool_down_s``.
* **half-open**: after the cool-down, up to ``half_open_max_calls`` trial calls may go through. A
  success closes the circuit; a failure opens it again for another cool-down.

What counts as a failure is the caller's decision (the private REST client counts transport
errors, HTTP 5xx and Kraken's service/auth errors, not an order rejected for insufficient funds).
The breaker only stops traffic; whether to HALT trading is the monitoring's decision, which reads
``stats()``. The clock is injectable (seconds, monotonic).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from galfriday.core.errors import GalFridayError


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpenError(GalFridayError):
    """The circuit is open: the call was not made."""

    def __init__(self, name: str, retry_after_s: float) -> None:
        self.name = name
        self.retry_after_s = retry_after_s
        super().__init__(
            f"{name}: circuit open after repeated failures, call not sent; the API is probed again "
            f"in {retry_after_s:.1f} s (check the exchange status and the network meanwhile)"
        )


@dataclass(frozen=True, slots=True)
class CircuitStats:
    """Counters for metrics and health checks."""

    name: str
    state: CircuitState
    consecutive_failures: int
    failures_in_window: int
    total_failures: int
    total_successes: int
    rejected_calls: int
    times_opened: int


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        *,
        max_consecutive_failures: int = 5,
        max_failures_in_window: int = 10,
        window_s: float = 60.0,
        cool_down_s: float = 30.0,
        half_open_max_calls: int = 1,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        if min(max_consecutive_failures, max_failures_in_window, half_open_max_calls) < 1:
            raise ValueError("failure thresholds and half_open_max_calls must be >= 1")
        if window_s <= 0 or cool_down_s <= 0:
            raise ValueError("window_s and cool_down_s must be positive")
        self.name = name
        self.max_consecutive_failures = max_consecutive_failures
        self.max_failures_in_window = max_failures_in_window
        self.window_s = window_s
        self.cool_down_s = cool_down_s
        self.half_open_max_calls = half_open_max_calls
        self._now = now
        self._state = CircuitState.CLOSED
        self._opened_at = 0.0
        self._trials_in_flight = 0
        self._consecutive = 0
        self._recent: deque[float] = deque()
        self._total_failures = 0
        self._total_successes = 0
        self._rejected = 0
        self._times_opened = 0

    @property
    def state(self) -> CircuitState:
        if self._state is CircuitState.OPEN and self._now() - self._opened_at >= self.cool_down_s:
            self._state = CircuitState.HALF_OPEN
            self._trials_in_flight = 0
        return self._state

    def before_call(self) -> None:
        """Raise ``CircuitOpenError`` unless a call may go out now (then it is counted as in flight)."""
        state = self.state
        if state is CircuitState.CLOSED:
            return
        if state is CircuitState.HALF_OPEN and self._trials_in_flight < self.half_open_max_calls:
            self._trials_in_flight += 1
            return
        self._rejected += 1
        remaining = self.cool_down_s - (self._now() - self._opened_at)
        raise CircuitOpenError(self.name, max(0.0, remaining))

    def record_success(self) -> None:
        self._total_successes += 1
        self._consecutive = 0
        if self.state is CircuitState.HALF_OPEN:
            self._state = CircuitState.CLOSED
            self._recent.clear()

    def record_failure(self) -> None:
        now = self._now()
        self._total_failures += 1
        self._consecutive += 1
        self._recent.append(now)
        self._forget_before(now - self.window_s)
        state = self.state
        if state is CircuitState.HALF_OPEN or (
            state is CircuitState.CLOSED
            and (
                self._consecutive >= self.max_consecutive_failures
                or len(self._recent) >= self.max_failures_in_window
            )
        ):
            self._open(now)

    def call_abandoned(self) -> None:
        """A call let through ended with neither outcome (cancelled): free its half-open trial slot."""
        if self._state is CircuitState.HALF_OPEN and self._trials_in_flight > 0:
            self._trials_in_flight -= 1

    def _open(self, now: float) -> None:
        self._state = CircuitState.OPEN
        self._opened_at = now
        self._times_opened += 1

    def _forget_before(self, cutoff: float) -> None:
        while self._recent and self._recent[0] < cutoff:
            self._recent.popleft()

    def stats(self) -> CircuitStats:
        self._forget_before(self._now() - self.window_s)
        return CircuitStats(
            name=self.name,
            state=self.state,
            consecutive_failures=self._consecutive,
            failures_in_window=len(self._recent),
            total_failures=self._total_failures,
            total_successes=self._total_successes,
            rejected_calls=self._rejected,
            times_opened=self._times_opened,
        )

    def __repr__(self) -> str:
        return f"CircuitBreaker({self.name!r}, state={self.state.value})"

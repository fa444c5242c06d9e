"""Client-side rate limiting and retry/backoff for Kraken REST.

Kraken meters REST calls with a counter that every call raises and that drains over time (public
endpoints: per IP, roughly one call per second; private endpoints: per API key, by account tier,
see docs/kraken_protocol.md §5.1). Going over answers ``EAPI:Rate limit exceeded``, and calling on
while locked out extends the lock. So we wait *before* sending: every request first acquires from
a ``LeakyBucket``, and an error that says "slow down" pauses the bucket for everyone sharing it.

``LeakyBucket`` is the one counter model for both uses: public REST is ``capacity=burst``,
``leak_per_s=rate``; the private REST counter is ``capacity=tier max``, ``leak_per_s=tier decay``
with cost 2 for ledger/trade-history calls (``kraken.trading_limits.RestCallCounter``).

Retries: ``RetryPolicy`` gives exponential backoff with jitter; ``classify_errors`` says which of
Kraken's ``error`` strings are worth retrying and when (``EService:Throttled: <unix ts>`` names the
instant after which to try again).
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

Sleep = Callable[[float], Awaitable[None]]

_EPSILON_S = 1e-9

# Kraken error strings (after removing blanks after colons) that mean "try again later".
RETRYABLE_ERROR_PREFIXES: tuple[str, ...] = (
    "EService:Unavailable",
    "EService:Busy",
    "EAPI:Rate limit exceeded",
    "EService:Throttled",
)
_RATE_LIMIT_PREFIXES = ("EAPI:Rate limit exceeded", "EService:Throttled")
_THROTTLED_AT = re.compile(r"^EService:Throttled:(\d+(?:\.\d+)?)")


class LeakyBucket:
    """A counter raised by each call's cost and drained at ``leak_per_s``; calls wait to fit.

    Waiters are served in arrival order (an ``asyncio.Lock`` is FIFO), so a burst of concurrent
    requests goes out evenly spaced instead of all at once. ``now`` and ``sleep`` are injectable
    so tests can run it on virtual time.
    """

    def __init__(
        self,
        *,
        capacity: float,
        leak_per_s: float,
        now: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if capacity <= 0 or leak_per_s <= 0:
            raise ValueError(f"capacity and leak_per_s must be positive, got {capacity}, {leak_per_s}")
        self.capacity = capacity
        self.leak_per_s = leak_per_s
        self._now = now
        self._sleep = sleep
        self._level = 0.0
        self._updated = now()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def _drain(self, now: float) -> None:
        self._level = max(0.0, self._level - (now - self._updated) * self.leak_per_s)
        self._updated = now

    def _wait_s(self, cost: float) -> float:
        now = self._now()
        self._drain(now)
        over = self._level + cost - self.capacity
        return max(self._paused_until - now, over / self.leak_per_s if over > 0 else 0.0)

    async def acquire(self, cost: float = 1.0) -> None:
        """Wait until a call of ``cost`` fits under the capacity, then charge it."""
        if cost > self.capacity:
            raise ValueError(f"a call costing {cost} can never fit a bucket of capacity {self.capacity}")
        async with self._lock:
            while (wait := self._wait_s(cost)) > _EPSILON_S:
                await self._sleep(wait)
            self._level += cost

    def try_acquire(self, cost: float = 1.0) -> bool:
        """Charge ``cost`` now if it fits, without waiting; False if it does not.

        For *enforcing* a limit (the exchange simulator answers ``EAPI:Rate limit exceeded``
        instead of making the caller wait).
        """
        if self._wait_s(cost) > _EPSILON_S:
            return False
        self._level += cost
        return True

    def charge(self, cost: float) -> None:
        """Add ``cost`` unconditionally: a call that went out anyway, or one the exchange counted."""
        self._drain(self._now())
        self._level += cost

    def wait_s(self, cost: float = 1.0) -> float:
        """How long a call of ``cost`` would have to wait now (0.0 if it fits)."""
        wait = self._wait_s(cost)
        return wait if wait > _EPSILON_S else 0.0

    @property
    def level(self) -> float:
        """The counter's current value, drained to now (for metrics and the simulator)."""
        self._drain(self._now())
        return self._level

    def pause_for(self, seconds: float) -> None:
        """Let nobody send for ``seconds`` (the exchange told us to back off)."""
        self._paused_until = max(self._paused_until, self._now() + max(0.0, seconds))


def public_rest_limiter(rate_per_s: float = 1.0, burst: int = 1) -> LeakyBucket:
    """Kraken's public REST limit as documented: about one call per second, tiny bursts."""
    return LeakyBucket(capacity=float(burst), leak_per_s=rate_per_s)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to retry a failed call.

    ``max_attempts`` counts the first try. Delays double from ``base_delay_s`` up to
    ``max_delay_s``; each is shortened by a random fraction up to ``jitter`` so that several
    clients recovering from the same outage do not retry in lock-step. A throttle deadline from
    the exchange is honoured up to ``max_throttle_wait_s``.
    """

    max_attempts: int = 5
    base_delay_s: float = 1.0
    max_delay_s: float = 30.0
    jitter: float = 0.2
    max_throttle_wait_s: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if not 0.0 <= self.jitter < 1.0:
            raise ValueError("jitter must be in [0, 1)")

    def backoff_s(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (1 = the first retry)."""
        delay = min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))
        return delay * (1.0 - self.jitter * random.random())


@dataclass(frozen=True, slots=True)
class ErrorVerdict:
    """What a list of Kraken ``error`` strings means for the caller."""

    retryable: bool
    rate_limited: bool  # the limiter should pause: every caller sharing it must slow down
    retry_at_unix_s: float | None  # from ``EService:Throttled: <ts>``


def normalise_error(error: str) -> str:
    """Kraken writes both ``EService:Throttled`` and ``EService: Throttled: 123``; unify them."""
    return re.sub(r":\s+", ":", error.strip())


def classify_errors(errors: Sequence[str]) -> ErrorVerdict:
    """Retry only when *every* error is a transient one; anything else is the caller's problem."""
    normalised = [normalise_error(e) for e in errors]
    retryable = bool(normalised) and all(e.startswith(RETRYABLE_ERROR_PREFIXES) for e in normalised)
    rate_limited = any(e.startswith(_RATE_LIMIT_PREFIXES) for e in normalised)
    retry_at = None
    for e in normalised:
        if m := _THROTTLED_AT.match(e):
            retry_at = float(m.group(1))
    return ErrorVerdict(retryable=retryable, rate_limited=rate_limited, retry_at_unix_s=retry_at)


def throttle_wait_s(retry_at_unix_s: float, policy: RetryPolicy, now_unix_s: float | None = None) -> float:
    """Seconds until the exchange's throttle deadline, capped by the policy."""
    now = time.time() if now_unix_s is None else now_unix_s
    return min(policy.max_throttle_wait_s, max(0.0, retry_at_unix_s - now))

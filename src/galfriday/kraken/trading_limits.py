"""Kraken's per-account limits as data and counters, for the client (wait) and the simulator (enforce).

Two counters, both leaky buckets (``kraken.rate_limit.LeakyBucket``), both by account tier
(docs/kraken_protocol.md §5):

* **REST call counter** (per API key): +1 per private call, +2 for ledger/trade-history calls,
  nothing for order entry (AddOrder, CancelOrder, ... are metered by the engine counter instead).
  Over the tier maximum Kraken answers ``EAPI:Rate limit exceeded``. ``RestCallCounter.acquire``
  waits until a call fits (client); ``admit`` says yes/no at once (simulator), and a call refused
  while locked out extends the lock, as Kraken documents.
* **Matching-engine counter** (per pair, shared by REST, WS and FIX): a fixed cost per transaction
  plus, for amending, editing or cancelling a resting order, a penalty that shrinks the longer the
  order has rested since it was placed or last amended. Over the tier threshold Kraken answers
  ``EOrder:Rate limit exceeded`` for that pair. ``TradingRateCounter`` holds one bucket per pair;
  ``transaction_cost`` is the exact cost table; ``RestingOrders`` knows how long each order has
  rested and enforces the per-pair open-order cap (``EOrder:Orders limit exceeded``).

The client feeds ``RestingOrders`` from what it sends; fills it cannot see, so the execution layer
calls ``RestingOrders.closed`` on every terminal execution report. The simulator, which sees
everything, uses the same classes as the authority. Clocks are injectable (seconds, monotonic).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from galfriday.core.errors import GalFridayError
from galfriday.kraken.rate_limit import LeakyBucket, Sleep

AccountTier = Literal["starter", "intermediate", "pro"]


@dataclass(frozen=True, slots=True)
class TierLimits:
    """Kraken's published numbers for one verification tier."""

    rest_max: float  # REST call counter maximum
    rest_decay_per_s: float
    trading_threshold: float  # per-pair matching-engine counter threshold
    trading_decay_per_s: float
    max_open_orders: int  # per pair


TIER_LIMITS: dict[str, TierLimits] = {
    "starter": TierLimits(15, 0.33, 60, 1.0, 60),
    "intermediate": TierLimits(20, 0.5, 125, 2.34, 80),
    "pro": TierLimits(20, 1.0, 180, 3.75, 225),
}


def tier_limits(tier: AccountTier | str) -> TierLimits:
    try:
        return TIER_LIMITS[tier.lower()]
    except KeyError:
        raise ValueError(
            f"unknown Kraken account tier {tier!r}; use one of {', '.join(TIER_LIMITS)} "
            "(exchange.api_tier in the configuration)"
        ) from None


class TradingRateLimitError(GalFridayError):
    """Sending now would exceed a Kraken trading limit; nothing was sent."""

    def __init__(self, pair: str, message: str, retry_after_s: float | None = None) -> None:
        self.pair = pair
        self.retry_after_s = retry_after_s
        super().__init__(message)


# ------------------------------------------------------------------------ REST call counter

HISTORY_METHODS = frozenset({"Ledgers", "QueryLedgers", "TradesHistory", "QueryTrades"})
ENGINE_METHODS = frozenset(
    {"AddOrder", "AddOrderBatch", "AmendOrder", "EditOrder", "CancelOrder", "CancelOrderBatch"}
)


def rest_call_cost(method: str) -> int:
    """What a private REST call adds to the REST counter: 0 for order entry, 2 for history, else 1."""
    if method in ENGINE_METHODS:
        return 0
    return 2 if method in HISTORY_METHODS else 1


class RestCallCounter:
    """Kraken's REST call counter for one API key."""

    def __init__(
        self,
        limits: TierLimits,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.bucket = LeakyBucket(
            capacity=limits.rest_max, leak_per_s=limits.rest_decay_per_s, now=now, sleep=sleep
        )

    @classmethod
    def for_tier(cls, tier: AccountTier | str) -> RestCallCounter:
        return cls(tier_limits(tier))

    async def acquire(self, method: str) -> None:
        """Client: wait until ``method`` fits under the counter, then charge it."""
        cost = rest_call_cost(method)
        if cost:
            await self.bucket.acquire(cost)

    def admit(self, method: str) -> bool:
        """Simulator: charge and accept, or refuse. A refused call is still counted (the counter
        goes above the maximum), so every call made during a lockout extends it."""
        cost = rest_call_cost(method)
        if not cost or self.bucket.try_acquire(cost):
            return True
        self.bucket.charge(cost)
        return False

    def saturate(self) -> None:
        """Kraken said the counter is full (``EAPI:Rate limit exceeded``): make the model agree."""
        self.bucket.charge(max(0.0, self.bucket.capacity - self.bucket.level))

    def pause_for(self, seconds: float) -> None:
        """The exchange said slow down: nobody sharing this key sends for ``seconds``."""
        self.bucket.pause_for(seconds)

    @property
    def level(self) -> float:
        return self.bucket.level


# ------------------------------------------------------------------ matching-engine counter


class TradeAction(StrEnum):
    ADD = "add"
    AMEND = "amend"
    EDIT = "edit"
    CANCEL = "cancel"


# Fixed cost, then (resting time below which it applies, extra cost) brackets; the first match wins.
_FIXED_COST = {TradeAction.ADD: 1, TradeAction.AMEND: 1, TradeAction.EDIT: 1, TradeAction.CANCEL: 0}
_RESTING_PENALTY: dict[TradeAction, tuple[tuple[float, int], ...]] = {
    TradeAction.ADD: (),
    TradeAction.AMEND: ((5, 3), (10, 2), (15, 1)),
    TradeAction.EDIT: ((5, 6), (10, 5), (15, 4), (45, 2), (90, 1)),
    TradeAction.CANCEL: ((5, 8), (10, 6), (15, 5), (45, 4), (90, 2), (300, 1)),
}


def transaction_cost(action: TradeAction, resting_s: float | None = None) -> int:
    """Points ``action`` adds to the pair's counter; an unknown resting time is charged as 0 s.

    ``resting_s`` is how long the order has rested since it was placed or last amended. Charging
    an unknown order as freshly placed overestimates, which only makes the client wait longer.
    """
    rested = 0.0 if resting_s is None else resting_s
    extra = next((cost for limit, cost in _RESTING_PENALTY[action] if rested < limit), 0)
    return _FIXED_COST[action] + extra


def batch_add_cost(n_orders: int) -> float:
    """``AddOrderBatch`` / WS ``batch_add``: n/2 for the batch."""
    return n_orders / 2


def batch_cancel_cost(resting_times_s: Iterable[float | None]) -> int:
    """``CancelOrderBatch`` / WS ``batch_cancel``: each order's cancel penalty."""
    return sum(transaction_cost(TradeAction.CANCEL, r) for r in resting_times_s)


class TradingRateCounter:
    """The matching-engine counter of every pair (keyed by whatever pair name the caller uses)."""

    def __init__(
        self,
        limits: TierLimits,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.threshold = limits.trading_threshold
        self.decay_per_s = limits.trading_decay_per_s
        self._now = now
        self._sleep = sleep
        self._buckets: dict[str, LeakyBucket] = {}

    def _bucket(self, pair: str) -> LeakyBucket:
        bucket = self._buckets.get(pair)
        if bucket is None:
            bucket = LeakyBucket(
                capacity=self.threshold, leak_per_s=self.decay_per_s, now=self._now, sleep=self._sleep
            )
            self._buckets[pair] = bucket
        return bucket

    def level(self, pair: str) -> float:
        return self._bucket(pair).level

    def wait_s(self, pair: str, cost: float) -> float:
        """Seconds until a transaction of ``cost`` fits (``inf`` if it never can)."""
        if cost > self.threshold:
            return math.inf
        return self._bucket(pair).wait_s(cost)

    def can_submit(self, pair: str, cost: float) -> bool:
        return self.wait_s(pair, cost) == 0.0

    def record(self, pair: str, cost: float) -> None:
        """Count a transaction that was sent (or, in the simulator, received)."""
        self._bucket(pair).charge(cost)

    async def acquire(self, pair: str, cost: float, *, max_wait_s: float) -> None:
        """Client: wait up to ``max_wait_s`` for room, then charge; refuse rather than wait longer."""
        wait = self.wait_s(pair, cost)
        if wait > max_wait_s:
            raise TradingRateLimitError(
                pair,
                f"{pair}: a {cost}-point transaction would exceed Kraken's trading rate limit "
                f"(counter {self.level(pair):.1f} of {self.threshold:g}); retry in {wait:.1f} s, or "
                "cancel less often (orders resting > 45 s are cheaper to cancel)",
                retry_after_s=wait,
            )
        await self._bucket(pair).acquire(cost)


# ------------------------------------------------------------------------- resting orders


@dataclass(slots=True)
class _Resting:
    pair: str
    since: float  # placed or last amended
    keys: tuple[str, ...]  # txid and cl_ord_id, either may be used to refer to it


class RestingOrders:
    """Open orders per pair: how long each has rested, and the per-pair open-order cap."""

    def __init__(self, max_open_per_pair: int, *, now: Callable[[], float] = time.monotonic) -> None:
        self.max_open_per_pair = max_open_per_pair
        self._now = now
        self._by_key: dict[str, _Resting] = {}
        self._count: dict[str, int] = {}

    def opened(self, pair: str, order_id: str, cl_ord_id: str | None = None) -> None:
        keys = (order_id,) if cl_ord_id is None else (order_id, cl_ord_id)
        self.closed(order_id)
        entry = _Resting(pair=pair, since=self._now(), keys=keys)
        for key in keys:
            self._by_key[key] = entry
        self._count[pair] = self._count.get(pair, 0) + 1

    def amended(self, key: str) -> None:
        """An amend restarts the resting clock (Kraken: "since placed or last amended")."""
        entry = self._by_key.get(key)
        if entry is not None:
            entry.since = self._now()

    def closed(self, key: str) -> None:
        """Filled, cancelled or expired: the order no longer rests or counts toward the cap."""
        entry = self._by_key.get(key)
        if entry is None:
            return
        for alias in entry.keys:
            self._by_key.pop(alias, None)
        self._count[entry.pair] -= 1

    def pair_of(self, key: str) -> str | None:
        entry = self._by_key.get(key)
        return None if entry is None else entry.pair

    def resting_s(self, key: str) -> float | None:
        entry = self._by_key.get(key)
        return None if entry is None else self._now() - entry.since

    def open_count(self, pair: str) -> int:
        return self._count.get(pair, 0)

    def can_open(self, pair: str) -> bool:
        return self.open_count(pair) < self.max_open_per_pair


class TradingLimits:
    """Everything the matching engine limits for one account: per-pair counter and open orders."""

    def __init__(
        self,
        limits: TierLimits,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.counter = TradingRateCounter(limits, now=now, sleep=sleep)
        self.orders = RestingOrders(limits.max_open_orders, now=now)

    @classmethod
    def for_tier(cls, tier: AccountTier | str) -> TradingLimits:
        return cls(tier_limits(tier))

    def cost_of(self, action: TradeAction, key: str | None = None) -> int:
        """The cost of ``action`` on the order known as ``key`` (txid or cl_ord_id), if any."""
        return transaction_cost(action, None if key is None else self.orders.resting_s(key))

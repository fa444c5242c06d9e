"""The REST limiter and retry helpers on virtual time (no sleeping)."""

from __future__ import annotations

import asyncio

import pytest

from galfriday.kraken.rate_limit import (
    LeakyBucket,
    RetryPolicy,
    classify_errors,
    public_rest_limiter,
    throttle_wait_s,
)


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sends: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def _send(bucket: LeakyBucket, vt: VirtualTime, n: int, cost: float = 1.0) -> None:
    for _ in range(n):
        await bucket.acquire(cost)
        vt.sends.append(vt.now)


async def test_one_per_second_without_burst() -> None:
    vt = VirtualTime()
    bucket = LeakyBucket(capacity=1, leak_per_s=1.0, now=vt.clock, sleep=vt.sleep)
    await _send(bucket, vt, 4)
    assert vt.sends == pytest.approx([0.0, 1.0, 2.0, 3.0])


async def test_burst_then_sustained_rate() -> None:
    vt = VirtualTime()
    bucket = LeakyBucket(capacity=3, leak_per_s=0.5, now=vt.clock, sleep=vt.sleep)
    await _send(bucket, vt, 5)
    assert vt.sends == pytest.approx([0.0, 0.0, 0.0, 2.0, 4.0])


async def test_cost_two_calls_drain_twice_as_long() -> None:
    """Private ledger/trade-history calls cost 2 on Kraken's counter (the later private limiter)."""
    vt = VirtualTime()
    bucket = LeakyBucket(capacity=2, leak_per_s=1.0, now=vt.clock, sleep=vt.sleep)
    await _send(bucket, vt, 3, cost=2)
    assert vt.sends == pytest.approx([0.0, 2.0, 4.0])
    with pytest.raises(ValueError, match="never fit"):
        await bucket.acquire(3)


async def test_pause_holds_everyone() -> None:
    vt = VirtualTime()
    bucket = LeakyBucket(capacity=5, leak_per_s=10.0, now=vt.clock, sleep=vt.sleep)
    bucket.pause_for(7.5)
    await _send(bucket, vt, 2)
    assert vt.sends == pytest.approx([7.5, 7.5])


async def test_concurrent_callers_are_served_in_order_and_spaced() -> None:
    vt = VirtualTime()
    bucket = LeakyBucket(capacity=1, leak_per_s=2.0, now=vt.clock, sleep=vt.sleep)
    order: list[int] = []

    async def call(i: int) -> None:
        await bucket.acquire()
        order.append(i)
        vt.sends.append(vt.now)

    await asyncio.gather(*(call(i) for i in range(4)))
    assert order == [0, 1, 2, 3]
    assert vt.sends == pytest.approx([0.0, 0.5, 1.0, 1.5])


def test_public_defaults_are_one_per_second() -> None:
    bucket = public_rest_limiter()
    assert (bucket.capacity, bucket.leak_per_s) == (1.0, 1.0)


@pytest.mark.parametrize(
    ("errors", "retryable", "rate_limited", "retry_at"),
    [
        (["EService:Unavailable"], True, False, None),
        (["EService:Busy"], True, False, None),
        (["EAPI:Rate limit exceeded"], True, True, None),
        (["EService: Throttled: 1700000000"], True, True, 1700000000.0),
        (["EService:Throttled:1700000000.5"], True, True, 1700000000.5),
        (["EQuery:Unknown asset pair"], False, False, None),
        (["EGeneral:Temporary lockout"], False, False, None),
        (["EService:Unavailable", "EGeneral:Invalid arguments"], False, False, None),
        ([], False, False, None),
    ],
)
def test_classify_errors(
    errors: list[str], retryable: bool, rate_limited: bool, retry_at: float | None
) -> None:
    verdict = classify_errors(errors)
    assert (verdict.retryable, verdict.rate_limited, verdict.retry_at_unix_s) == (
        retryable,
        rate_limited,
        retry_at,
    )


def test_backoff_doubles_with_jitter_and_cap() -> None:
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=8.0, jitter=0.25)
    for attempt, full in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (7, 8.0)]:
        for _ in range(20):
            assert 0.75 * full <= policy.backoff_s(attempt) <= full


def test_throttle_wait_is_capped_and_never_negative() -> None:
    policy = RetryPolicy(max_throttle_wait_s=30.0)
    assert throttle_wait_s(1_000.0, policy, now_unix_s=990.0) == 10.0
    assert throttle_wait_s(1_000.0, policy, now_unix_s=2_000.0) == 0.0
    assert throttle_wait_s(10_000.0, policy, now_unix_s=0.0) == 30.0

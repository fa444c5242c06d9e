"""Kraken's REST counter, per-pair matching-engine counter and open-order caps, on virtual time."""

from __future__ import annotations

import math

import pytest

from galfriday.kraken.trading_limits import (
    TIER_LIMITS,
    RestCallCounter,
    RestingOrders,
    TradeAction,
    TradingLimits,
    TradingRateCounter,
    TradingRateLimitError,
    batch_add_cost,
    batch_cancel_cost,
    rest_call_cost,
    tier_limits,
    transaction_cost,
)


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_doc_example_add_amend_cancel_costs_eight() -> None:
    """Kraken's example: add (+1), amend 7 s later (+1 +2), cancel 36 s after the amend (+4) = +8."""
    vt = VirtualTime()
    limits = TradingLimits(tier_limits("starter"), now=vt.clock, sleep=vt.sleep)
    add = limits.cost_of(TradeAction.ADD)
    limits.counter.record("XRP/USD", add)
    limits.orders.opened("XRP/USD", "OAAAAA-BBBBB-CCCCCC", cl_ord_id="q-1")
    vt.now = 7.0
    amend = limits.cost_of(TradeAction.AMEND, "q-1")
    limits.counter.record("XRP/USD", amend)
    limits.orders.amended("q-1")
    vt.now = 43.0
    cancel = limits.cost_of(TradeAction.CANCEL, "OAAAAA-BBBBB-CCCCCC")
    assert (add, amend, cancel) == (1, 3, 4)
    assert add + amend + cancel == 8
    limits.counter.record("XRP/USD", cancel)
    # Points decay at 1/s on Starter: 1 at t=0 is gone by t=7; 3 at t=7 is gone by t=43.
    assert limits.counter.level("XRP/USD") == pytest.approx(4.0)


@pytest.mark.parametrize(
    ("action", "brackets"),
    [
        (TradeAction.ADD, [(0, 1), (1000, 1)]),
        (TradeAction.AMEND, [(0, 4), (4.99, 4), (5, 3), (9.99, 3), (10, 2), (14.99, 2), (15, 1), (300, 1)]),
        (TradeAction.EDIT, [(0, 7), (5, 6), (10, 5), (15, 3), (44.9, 3), (45, 2), (90, 1), (300, 1)]),
        (
            TradeAction.CANCEL,
            [(0, 8), (4.99, 8), (5, 6), (10, 5), (15, 4), (44.99, 4), (45, 2), (90, 1), (299.9, 1), (300, 0)],
        ),
    ],
)
def test_cost_table(action: TradeAction, brackets: list[tuple[float, int]]) -> None:
    for resting_s, cost in brackets:
        assert transaction_cost(action, resting_s) == cost, (action, resting_s)


def test_unknown_resting_time_is_charged_as_the_worst_case() -> None:
    assert transaction_cost(TradeAction.CANCEL) == 8
    assert TradingLimits.for_tier("pro").cost_of(TradeAction.CANCEL, "never-seen") == 8


def test_batch_costs() -> None:
    assert batch_add_cost(4) == 2.0
    assert batch_add_cost(15) == 7.5
    assert batch_cancel_cost([1.0, 20.0, 400.0, None]) == 8 + 4 + 0 + 8


@pytest.mark.parametrize(
    ("tier", "threshold", "decay", "max_open"),
    [("starter", 60, 1.0, 60), ("intermediate", 125, 2.34, 80), ("pro", 180, 3.75, 225)],
)
def test_tier_threshold_decay_and_wait(tier: str, threshold: float, decay: float, max_open: int) -> None:
    limits = TIER_LIMITS[tier]
    assert (limits.trading_threshold, limits.trading_decay_per_s, limits.max_open_orders) == (
        threshold,
        decay,
        max_open,
    )
    vt = VirtualTime()
    counter = TradingRateCounter(limits, now=vt.clock)
    counter.record("XRP/USD", threshold)
    assert not counter.can_submit("XRP/USD", 3)
    assert counter.wait_s("XRP/USD", 3) == pytest.approx(3 / decay)
    assert counter.can_submit("DOGE/USD", 3)  # each pair has its own counter
    vt.now = 3 / decay
    assert counter.can_submit("XRP/USD", 3)
    assert counter.wait_s("XRP/USD", threshold + 1) == math.inf  # can never fit


async def test_acquire_waits_within_budget_and_refuses_beyond_it() -> None:
    vt = VirtualTime()
    counter = TradingRateCounter(tier_limits("starter"), now=vt.clock, sleep=vt.sleep)
    counter.record("XRP/USD", 58)
    await counter.acquire("XRP/USD", 4, max_wait_s=5.0)  # needs 2 s
    assert vt.now == pytest.approx(2.0)
    assert counter.level("XRP/USD") == pytest.approx(60.0)
    with pytest.raises(TradingRateLimitError, match=r"retry in 8\.0 s") as info:
        await counter.acquire("XRP/USD", 8, max_wait_s=5.0)
    assert info.value.retry_after_s == pytest.approx(8.0)
    assert counter.level("XRP/USD") == pytest.approx(60.0)  # nothing charged


def test_open_order_cap_and_aliases() -> None:
    vt = VirtualTime()
    orders = RestingOrders(max_open_per_pair=2, now=vt.clock)
    orders.opened("XRP/USD", "O1", cl_ord_id="c1")
    orders.opened("XRP/USD", "O2")
    orders.opened("DOGE/USD", "O3")
    assert (orders.open_count("XRP/USD"), orders.can_open("XRP/USD"), orders.can_open("DOGE/USD")) == (
        2,
        False,
        True,
    )
    vt.now = 12.0
    orders.amended("O1")
    vt.now = 20.0
    assert orders.resting_s("c1") == pytest.approx(8.0)  # since the amend, by either id
    assert orders.pair_of("c1") == "XRP/USD"
    orders.closed("c1")  # closing by cl_ord_id frees the txid too
    assert orders.resting_s("O1") is None and orders.can_open("XRP/USD")
    orders.closed("unknown")  # a fill we never tracked: no effect
    assert orders.open_count("XRP/USD") == 1


def test_rest_call_costs() -> None:
    assert [rest_call_cost(m) for m in ("AddOrder", "CancelOrder", "Balance", "ClosedOrders")] == [0, 0, 1, 1]
    assert [rest_call_cost(m) for m in ("TradesHistory", "Ledgers", "QueryLedgers", "QueryTrades")] == [2] * 4


@pytest.mark.parametrize(
    ("tier", "cap", "decay"), [("starter", 15, 0.33), ("intermediate", 20, 0.5), ("pro", 20, 1.0)]
)
async def test_rest_counter_waits_by_tier(tier: str, cap: float, decay: float) -> None:
    vt = VirtualTime()
    counter = RestCallCounter(tier_limits(tier), now=vt.clock, sleep=vt.sleep)
    for _ in range(int(cap)):
        await counter.acquire("Balance")
    assert vt.now == 0.0
    await counter.acquire("AddOrder")  # order entry does not touch the REST counter
    assert vt.now == 0.0
    await counter.acquire("TradesHistory")  # costs 2: waits for two points to drain
    assert vt.now == pytest.approx(2 / decay)


def test_rest_counter_enforcement_for_the_simulator() -> None:
    vt = VirtualTime()
    counter = RestCallCounter(tier_limits("starter"), now=vt.clock)
    assert all(counter.admit("Balance") for _ in range(15))
    assert not counter.admit("Balance")  # EAPI:Rate limit exceeded
    vt.now = 1 / 0.33  # without that refused call there would be room again now ...
    assert not counter.admit("Balance")  # ... but calling during the lockout extended it
    vt.now = 3 / 0.33 + 1e-6
    assert counter.admit("Balance")
    assert counter.admit("AddOrder")  # never limited here


def test_saturate_makes_the_model_agree_with_kraken() -> None:
    vt = VirtualTime()
    counter = RestCallCounter(tier_limits("pro"), now=vt.clock)
    counter.saturate()
    assert counter.level == pytest.approx(20.0)
    assert counter.bucket.wait_s(1) == pytest.approx(1.0)


def test_unknown_tier_says_which_exist() -> None:
    with pytest.raises(ValueError, match="starter, intermediate, pro"):
        tier_limits("gold")

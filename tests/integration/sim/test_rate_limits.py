"""Kraken's limits, enforced with Kraken's strings: the REST call counter per key, the trading
counter per pair (with its cancel penalties), their decay, and the open-order cap.

The counters run on a fake monotonic clock so decay is observed without waiting."""

from __future__ import annotations

from tests.integration.sim.conftest import BOB, StartSim
from tests.integration.sim.rest_kit import private


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_rest_counter_locks_out_and_decays(start_sim: StartSim) -> None:
    clock = FakeClock()
    sim = await start_sim(limits_now=clock)
    for _ in range(15):  # starter: 15 points
        assert (await private(sim, BOB, "Balance"))["error"] == []
    assert (await private(sim, BOB, "Balance"))["error"] == ["EAPI:Rate limit exceeded"]
    assert (await private(sim, BOB, "Balance"))["error"] == ["EAPI:Rate limit exceeded"]  # extends the lock
    clock.now += 3.0  # 0.33/s: 1 point back, but two refused calls pushed the counter to 17
    assert (await private(sim, BOB, "Balance"))["error"] == ["EAPI:Rate limit exceeded"]
    clock.now += 10.0
    assert (await private(sim, BOB, "Balance"))["error"] == []
    clock.now += 60.0
    for _ in range(7):  # history calls cost 2
        assert (await private(sim, BOB, "TradesHistory"))["error"] == []
    assert (await private(sim, BOB, "TradesHistory"))["error"] == ["EAPI:Rate limit exceeded"]
    assert (
        await private(
            sim, BOB, "AddOrder", pair="XRPUSD", type="buy", ordertype="limit", volume="50", price="0.30000"
        )
    )["error"] == []  # order entry is not on this counter


async def test_trading_counter_charges_cancel_penalties_per_pair(start_sim: StartSim) -> None:
    clock = FakeClock()
    sim = await start_sim(limits_now=clock)

    async def add(pair: str = "XRPUSD", price: str = "0.30000") -> dict:
        return await private(
            sim, BOB, "AddOrder", pair=pair, type="buy", ordertype="limit", volume="50", price=price
        )

    for _ in range(6):  # add (1) + cancel within 5 s (8) = 9 points, starter threshold 60
        txid = (await add())["result"]["txid"][0]
        assert (await private(sim, BOB, "CancelOrder", txid=txid))["error"] == []
    txid = (await add())["result"]["txid"][0]  # 55
    assert (await private(sim, BOB, "CancelOrder", txid=txid))["error"] == ["EOrder:Rate limit exceeded"]
    assert (await add("XDGUSD", "0.0500000"))["error"] == []  # another pair has its own counter
    clock.now += 30.0  # decays 1/s; the order has now rested 30 s: cancel costs 4
    assert (await private(sim, BOB, "CancelOrder", txid=txid))["error"] == []


async def test_open_order_cap_per_pair(start_sim: StartSim) -> None:
    clock = FakeClock()
    sim = await start_sim(limits_now=clock)
    for _ in range(60):  # starter: 60 open orders per pair
        answer = await private(
            sim, BOB, "AddOrder", pair="XRPUSD", type="buy", ordertype="limit", volume="10", price="0.10000"
        )
        assert answer["error"] == []
        clock.now += 1.0  # keep the trading counter clear
    over = await private(
        sim, BOB, "AddOrder", pair="XRPUSD", type="buy", ordertype="limit", volume="10", price="0.10000"
    )
    assert over["error"] == ["EOrder:Orders limit exceeded"]

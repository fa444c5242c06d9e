"""State survives a simulator restart: orders, fills, balances, nonces, ids that never repeat."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from galfriday.sim.server import ExchangeSimulator
from tests.integration.sim.conftest import ALICE, StartSim
from tests.integration.sim.rest_kit import private, private_body
from tests.integration.sim.waiting import eventually


async def _fill(sim: ExchangeSimulator, txid: str) -> None:
    await eventually(lambda: sim.exchange.accounts[ALICE.api_key].ledger.by_txid[txid].status == "closed")


async def test_orders_balances_and_nonces_survive_a_restart(start_sim: StartSim, tmp_path: Path) -> None:
    state = tmp_path / "sim-state.json"
    first = await start_sim(state_path=state)
    resting = await private(
        first,
        ALICE,
        "AddOrder",
        pair="XRPUSD",
        type="buy",
        ordertype="limit",
        volume="100",
        price="0.30000",
        cl_ord_id="keep-me",
    )
    market = await private(
        first, ALICE, "AddOrder", pair="XRPUSD", type="buy", ordertype="market", volume="100"
    )
    resting_txid, market_txid = resting["result"]["txid"][0], market["result"]["txid"][0]
    await _fill(first, market_txid)
    before = {
        m: (await private(first, ALICE, m))["result"]
        for m in ("OpenOrders", "ClosedOrders", "BalanceEx", "TradesHistory")
    }
    last_nonce = first.exchange.accounts[ALICE.api_key].last_nonce
    await first.stop()
    assert json.loads(state.read_text())["generation"] == 0

    second = await start_sim(state_path=state)
    assert second.exchange.generation == 1
    after = {
        m: (await private(second, ALICE, m))["result"]
        for m in ("OpenOrders", "ClosedOrders", "BalanceEx", "TradesHistory")
    }
    assert after == before  # same orders (same txids, fills, times), same balances and holds
    assert (await private_body(second, ALICE, "Balance", "", nonce=last_nonce))["error"] == [
        "EAPI:Invalid nonce"
    ]

    again = await private(
        second, ALICE, "AddOrder", pair="XRPUSD", type="buy", ordertype="market", volume="100"
    )
    new_txid = again["result"]["txid"][0]
    assert new_txid not in (resting_txid, market_txid)
    await _fill(second, new_txid)
    trades = (await private(second, ALICE, "TradesHistory"))["result"]["trades"]
    assert len(trades) == 2 and len({t["trade_id"] for t in trades.values()}) == 2
    canceled = await private(second, ALICE, "CancelOrder", cl_ord_id="keep-me")
    assert canceled["result"] == {"count": 1}
    held = (await private(second, ALICE, "BalanceEx"))["result"]["ZUSD"]["hold_trade"]
    assert Decimal(held) == 0  # the restored order held its funds again, and gave them back on cancel

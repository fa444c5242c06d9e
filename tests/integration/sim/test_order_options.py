"""AddOrder options end to end: validate, deadline, viqc, userref, and the order look-ups that
``add_order_safely`` relies on (``cl_ord_id`` and ``start`` filters)."""

from __future__ import annotations

import time
from decimal import Decimal

from galfriday.sim.server import ExchangeSimulator
from tests.integration.sim.conftest import ALICE
from tests.integration.sim.rest_kit import private
from tests.integration.sim.waiting import eventually


def _ledger(sim: ExchangeSimulator):  # type: ignore[no-untyped-def]
    return sim.exchange.accounts[ALICE.api_key].ledger


async def test_validate_only_checks(sim: ExchangeSimulator) -> None:
    ok = await private(
        sim,
        ALICE,
        "AddOrder",
        pair="XRPUSD",
        type="buy",
        ordertype="limit",
        volume="50",
        price="0.30000",
        validate="true",
    )
    bad = await private(
        sim,
        ALICE,
        "AddOrder",
        pair="XRPUSD",
        type="buy",
        ordertype="limit",
        volume="5",
        price="0.30000",
        validate="true",
    )
    assert ok == {"error": [], "result": {"descr": {"order": "buy 50.00000000 XRPUSD @ limit 0.30000"}}}
    assert bad["error"] == ["EGeneral:Invalid arguments:volume minimum not met"]
    assert _ledger(sim).by_txid == {}


async def test_deadline_past_is_refused(sim: ExchangeSimulator) -> None:
    past = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 2))
    answer = await private(
        sim, ALICE, "AddOrder", pair="XRPUSD", type="buy", ordertype="market", volume="50", deadline=past
    )
    assert answer["error"] == ["EOrder:Deadline elapsed"]


async def test_market_buy_sized_in_quote_currency(sim: ExchangeSimulator) -> None:
    answer = await private(
        sim, ALICE, "AddOrder", pair="XRPUSD", type="buy", ordertype="market", volume="52", oflags="viqc"
    )
    txid = answer["result"]["txid"][0]
    await eventually(lambda: _ledger(sim).by_txid[txid].status == "closed")
    record = _ledger(sim).by_txid[txid]
    assert Decimal(95) < record.vol_exec < Decimal(105)  # about $52 of XRP at ~0.52
    assert record.cost <= Decimal(52)


async def test_userref_groups_and_order_lookups(sim: ExchangeSimulator) -> None:
    before = int(time.time()) - 1
    for price, ref in (("0.30000", "7"), ("0.31000", "7"), ("0.32000", "8")):
        await private(
            sim,
            ALICE,
            "AddOrder",
            pair="XRPUSD",
            type="buy",
            ordertype="limit",
            volume="50",
            price=price,
            userref=ref,
        )
    await private(
        sim,
        ALICE,
        "AddOrder",
        pair="XRPUSD",
        type="buy",
        ordertype="limit",
        volume="50",
        price="0.33000",
        cl_ord_id="look-me-up",
    )
    assert len((await private(sim, ALICE, "OpenOrders", userref=7))["result"]["open"]) == 2
    assert (await private(sim, ALICE, "CancelOrder", txid="7"))["result"] == {"count": 2}
    assert (await private(sim, ALICE, "CancelOrder", cl_ord_id="look-me-up"))["result"] == {"count": 1}
    found = await private(sim, ALICE, "ClosedOrders", cl_ord_id="look-me-up", start=before)
    assert [o["cl_ord_id"] for o in found["result"]["closed"].values()] == ["look-me-up"]
    later = await private(sim, ALICE, "ClosedOrders", cl_ord_id="look-me-up", start=int(time.time()) + 5)
    assert later["result"] == {"closed": {}, "count": 0}
    unknown = await private(sim, ALICE, "QueryOrders", txid="OAAAAA-BBBBB-CCCCCC")
    assert unknown["error"] == ["EOrder:Invalid order"]
    again = await private(sim, ALICE, "CancelOrder", cl_ord_id="look-me-up")
    assert again["error"] == ["EOrder:Unknown order"]

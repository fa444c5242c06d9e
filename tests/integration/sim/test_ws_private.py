"""WS v2 private: executions and balances streams, and order entry on the socket."""

from __future__ import annotations

import time
from typing import Any

from galfriday.core.types import LiquiditySide, OrderStatus
from galfriday.kraken.orders_wire import decode_executions
from galfriday.sim.server import ExchangeSimulator
from tests.integration.sim.conftest import private_client
from tests.integration.sim.waiting import eventually
from tests.integration.sim.ws_kit import RawWs, channel, method


async def _session(sim: ExchangeSimulator, *channels: str) -> tuple[RawWs, str]:
    async with private_client(sim) as rest:
        token = (await rest.get_websockets_token()).token
    ws = await RawWs.open(sim.ws_private_url)
    for name in channels:
        await ws.send("subscribe", {"channel": name, "token": token})
        await ws.until(method("subscribe"))
        await ws.until(channel(name, "snapshot"))
    return ws, token


def _reports(ws: RawWs) -> list[Any]:
    frames = [f for f in ws.frames if f.startswith('{"channel":"executions"')]
    return [r for f in frames for r in decode_executions(f).reports]


async def test_market_order_life_on_the_executions_channel(sim: ExchangeSimulator) -> None:
    ws, token = await _session(sim, "executions", "balances")
    try:
        await ws.send(
            "add_order",
            {
                "order_type": "market",
                "side": "buy",
                "symbol": "XRP/USD",
                "order_qty": 300,
                "cl_ord_id": "mkt-1",
                "token": token,
            },
        )
        await ws.until(lambda m: m.get("channel") == "executions" and m["data"][-1]["exec_type"] == "filled")
        balance = await ws.until(channel("balances", "update"))
    finally:
        await ws.close()
    reports = [r for r in _reports(ws) if r.cl_ord_id == "mkt-1"]
    kinds = [r.exec_type for r in reports]
    assert kinds[:2] == ["pending_new", "new"] and kinds[-1] == "filled" and "trade" in kinds
    trades = [r for r in reports if r.exec_type == "trade"]
    assert sum(t.last_qty for t in trades) == 300 and all(t.liquidity is LiquiditySide.TAKER for t in trades)
    assert all(t.exec_id and t.trade_id and t.fees and t.fees[0].asset == "USD" for t in trades)
    assert trades[-1].order_status is OrderStatus.PARTIALLY_FILLED  # completion comes as its own report
    assert reports[-1].order_status is OrderStatus.FILLED and reports[-1].cum_qty == 300
    assets = {e["asset"] for e in balance["data"]}
    assert assets == {"XRP", "USD"} and all("balance" in e and "ledger_id" in e for e in balance["data"])


async def test_order_entry_and_cancels_on_the_socket(sim: ExchangeSimulator) -> None:
    ws, token = await _session(sim, "executions")
    try:
        ids = []
        for n, price in enumerate((0.3, 0.31, 0.32)):
            await ws.send(
                "add_order",
                {
                    "order_type": "limit",
                    "side": "buy",
                    "symbol": "XRP/USD",
                    "order_qty": 50,
                    "limit_price": price,
                    "cl_ord_id": f"ws-{n}",
                    "token": token,
                },
            )
            ids.append((await ws.until(method("add_order")))["result"]["order_id"])
        await ws.send("cancel_order", {"order_id": [ids[0]], "cl_ord_id": ["ws-1"], "token": token})
        first = await ws.until(method("cancel_order"))
        second = await ws.until(method("cancel_order"))
        await ws.send("cancel_order", {"order_id": [ids[0]], "token": token})
        unknown = await ws.until(method("cancel_order"))
        await ws.send("cancel_all_orders_after", {"timeout": 30, "token": token})
        dead_man = await ws.until(method("cancel_all_orders_after"))
        await ws.send("cancel_all", {"token": token})
        cancel_all = await ws.until(method("cancel_all"))
        await ws.send("subscribe", {"channel": "executions", "token": "not-a-token"})
        refused = await ws.until(method("subscribe"))
    finally:
        await ws.close()
    assert (first["result"], second["result"]) == (
        {"order_id": ids[0]},
        {"order_id": ids[1], "cl_ord_id": "ws-1"},
    )
    assert unknown["success"] is False and unknown["error"] == "EOrder:Unknown order"
    assert dead_man["result"]["triggerTime"] != "0"
    assert cancel_all["result"] == {"count": 1}
    assert refused["error"] == "ESession:Invalid session"
    canceled = {r.order_id for r in _reports(ws) if r.exec_type == "canceled"}
    assert canceled == set(ids)


async def test_snapshot_lists_open_orders_for_a_new_connection(sim: ExchangeSimulator) -> None:
    async with private_client(sim) as rest:
        token = (await rest.get_websockets_token()).token
        ws = await RawWs.open(sim.ws_private_url)
        await ws.send(
            "add_order",
            {
                "order_type": "limit",
                "side": "sell",
                "symbol": "DOGE/USD",
                "order_qty": 1000,
                "limit_price": 0.9,
                "token": token,
            },
        )
        placed = (await ws.until(method("add_order")))["result"]["order_id"]
        await ws.close()
        ledger = sim.exchange.accounts["alice-key"].ledger
        await eventually(lambda: ledger.by_txid[placed].status == "open", within_s=5)  # next DOGE data
        ws = await RawWs.open(sim.ws_private_url)
        await ws.send("subscribe", {"channel": "executions", "token": token, "snap_orders": True})
        snapshot = await ws.until(channel("executions", "snapshot"))
        await ws.close()
    message = decode_executions(ws.frames[-1])
    assert message.is_snapshot and [r.order_id for r in message.reports] == [placed]
    assert message.reports[0].order_status is OrderStatus.NEW and snapshot["data"][0]["exec_type"] == "new"


async def test_gtd_orders_expire_on_the_executions_channel(sim: ExchangeSimulator) -> None:
    ws, token = await _session(sim, "executions")
    expire = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))
    try:
        await ws.send(
            "add_order",
            {
                "order_type": "limit",
                "side": "buy",
                "symbol": "XRP/USD",
                "order_qty": 50,
                "limit_price": 0.3,
                "time_in_force": "gtd",
                "expire_time": expire,
                "token": token,
            },
        )
        expired = await ws.until(
            lambda m: m.get("channel") == "executions" and m["data"][0]["exec_type"] == "expired", within_s=5
        )
    finally:
        await ws.close()
    assert expired["data"][0]["order_status"] == "expired"

"""A third-party Kraken library, unchanged but for its base URL, against the simulator.

python-kraken-sdk (btschwertfeger/python-kraken-sdk, the most used Python Kraken client) signs
with its own code, uses its own nonces (10 ns units) and sends its own defaults (``starttm=0``,
``stptype``, ``validate=False`` spelled ``False``): if the simulator were only compatible with our
own client, this would show it. The library is synchronous (``requests``), so it runs in a thread
while the simulator serves on the event loop.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from kraken import spot as kraken_spot  # python-kraken-sdk, a dev dependency

from galfriday.sim.server import ExchangeSimulator
from tests.integration.sim.conftest import ALICE


def _session(sim: ExchangeSimulator) -> dict[str, Any]:
    market = kraken_spot.Market(url=sim.rest_url)
    trade = kraken_spot.Trade(key=ALICE.api_key, secret=ALICE.secret, url=sim.rest_url)
    user = kraken_spot.User(key=ALICE.api_key, secret=ALICE.secret, url=sim.rest_url)
    out: dict[str, Any] = {
        "pairs": market.get_asset_pairs(pair="XRPUSD"),
        "ticker": market.get_ticker(pair="XRPUSD"),
        "book": market.get_order_book(pair="XRPUSD", count=5),
        "ohlc": market.get_ohlc(pair="XRPUSD", interval=1),
        "status": market.get_system_status(),
        "balance": user.get_account_balance(),
    }
    bid = Decimal(out["book"]["XXRPZUSD"]["bids"][0][0])
    price = str((bid * Decimal("0.9")).quantize(Decimal("0.00001")))
    placed = trade.create_order(
        ordertype="limit", side="buy", pair="XRPUSD", volume="50", price=price, cl_ord_id="sdk-order-1"
    )
    txid = placed["txid"][0]
    out.update(placed=placed, txid=txid, price=price)
    out["queried"] = user.get_orders_info(txid=txid)
    out["open"] = user.get_open_orders()
    out["canceled"] = trade.cancel_order(txid=txid)
    out["after"] = user.get_orders_info(txid=txid)
    return out


async def test_python_kraken_sdk_reads_market_data_and_trades(sim: ExchangeSimulator) -> None:
    out = await asyncio.to_thread(_session, sim)
    assert out["pairs"]["XXRPZUSD"]["wsname"] == "XRP/USD"
    assert set(out["ticker"]["XXRPZUSD"]) == {"a", "b", "c", "v", "p", "t", "l", "h", "o"}
    assert len(out["book"]["XXRPZUSD"]["asks"]) == 5
    assert "last" in out["ohlc"] and out["status"]["status"] == "online"
    assert out["balance"]["ZUSD"] == "100000.0000"
    assert out["placed"]["descr"]["order"] == f"buy 50.00000000 XRPUSD @ limit {out['price']}"
    queried = out["queried"][out["txid"]]
    assert queried["status"] in ("pending", "open") and queried["cl_ord_id"] == "sdk-order-1"
    assert out["txid"] in out["open"]["open"]
    assert out["canceled"] == {"count": 1}
    assert out["after"][out["txid"]]["status"] == "canceled"

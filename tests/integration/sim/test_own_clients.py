"""Our own Kraken clients against the simulator over real sockets, unchanged but for base URLs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from galfriday.core.clock import LiveClock
from galfriday.core.instruments import default_instruments
from galfriday.core.types import OrderType, Side, TimeInForce
from galfriday.kraken.asset_pairs import parse_asset_pairs
from galfriday.kraken.orders_wire import AddOrderRequest
from galfriday.kraken.rate_limit import LeakyBucket
from galfriday.kraken.rest_private import PlacementOutcome
from galfriday.kraken.rest_public import KrakenPublicClient
from galfriday.kraken.ws_public import KrakenPublicWsClient, ReconnectPolicy
from galfriday.marketdata.ingestor import DataIngestor
from galfriday.sim.server import ExchangeSimulator
from galfriday.sim.server.faults import parse_faults
from tests.integration.sim.conftest import StartSim, private_client
from tests.integration.sim.waiting import eventually
from tests.integration.sim.ws_kit import RawWs

XRP, DOGE = default_instruments()["XRP/USD"], default_instruments()["DOGE/USD"]
PAIRS = ["XRP/USD", "DOGE/USD"]


class Collector:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def publish(self, event: Any) -> None:
        self.events.append(event)


def fast_public(sim: ExchangeSimulator) -> KrakenPublicClient:
    return KrakenPublicClient(sim.rest_url, limiter=LeakyBucket(capacity=100, leak_per_s=100))


async def test_public_rest_client(start_sim: StartSim) -> None:
    sim = await start_sim(speed=100.0)
    await eventually(lambda: len(sim.exchange.market.pairs["XRP/USD"].tape.recent(20)) == 20)
    async with fast_public(sim) as client:
        status = await client.system_status()
        server = await client.server_time()
        instruments = parse_asset_pairs(await client.asset_pairs())
        ohlc = await client.ohlc("XRPUSD")
        page = await client.trades("XRP/USD", since_ns=0, count=5)
        newer = await client.trades("XXRPZUSD", since_ns=page.last, count=5)
    assert status.status == "online" and abs(server.unixtime - sim.exchange.clock.wall_ns() / 1e9) < 5
    for symbol, ours in default_instruments().items():
        theirs = instruments[symbol]
        assert (
            theirs.tick,
            theirs.lot,
            theirs.ordermin,
            theirs.costmin,
            theirs.rest_pair_id,
            theirs.altname,
        ) == (ours.tick, ours.lot, ours.ordermin, ours.costmin, ours.rest_pair_id, ours.altname)
        assert (theirs.maker_fee, theirs.taker_fee) == (ours.maker_fee, ours.taker_fee)
    assert ohlc.pair_key == "XXRPZUSD" and ohlc.candles and ohlc.candles[-1].volume > 0
    assert [t.trade_id for t in page.trades] == [1, 2, 3, 4, 5]
    assert abs(page.last - page.trades[-1].time_ns) < 100  # ``time`` has 7 decimals, ``last`` is exact ns
    assert [t.trade_id for t in newer.trades] == [6, 7, 8, 9, 10]  # the cursor is exclusive


async def test_ws_client_and_ingestor_verify_every_book(start_sim: StartSim) -> None:
    sim = await start_sim(speed=200.0)
    bus = Collector()
    ingestor = DataIngestor(bus, LiveClock(), PAIRS, depth=10)
    client = KrakenPublicWsClient(PAIRS, ingestor, url=sim.ws_public_url, book_depth=10)
    ingestor.resubscriber = client
    client.start()
    try:
        await eventually(lambda: ingestor.stats()["book_messages"] >= 3000, within_s=30)
    finally:
        await client.close()
    stats = ingestor.stats()
    assert stats["checksum_mismatches"] == 0 and stats["malformed"] == 0
    assert stats["books_published"] == stats["book_messages"]
    assert stats["instruments"] == 2 and stats["trades"] > 0
    assert client.stats()["reconnects"] == 0


async def test_ws_client_keeps_up_at_max_speed(start_sim: StartSim) -> None:
    # "max" replays as fast as the slowest WS client takes it (backpressure), never faster.
    sim = await start_sim(speed=float("inf"))
    ingestor = DataIngestor(Collector(), LiveClock(), PAIRS, depth=10, instruments=default_instruments())
    client = KrakenPublicWsClient(PAIRS, ingestor, url=sim.ws_public_url, trades=False, instruments=False)
    ingestor.resubscriber = client
    client.start()
    try:
        await eventually(lambda: ingestor.stats()["book_messages"] >= 2000, within_s=30)
    finally:
        await client.close()
    assert ingestor.stats()["checksum_mismatches"] == 0 and client.stats()["reconnects"] == 0


async def test_ws_client_at_depth_25_verifies_too(start_sim: StartSim) -> None:
    sim = await start_sim(speed=200.0)
    ingestor = DataIngestor(Collector(), LiveClock(), PAIRS, depth=25, instruments=default_instruments())
    client = KrakenPublicWsClient(
        PAIRS,
        ingestor,
        url=sim.ws_public_url,
        book_depth=25,
        trades=False,
        instruments=False,
        reconnect=ReconnectPolicy(initial_s=0.05),
    )
    ingestor.resubscriber = client
    client.start()
    try:
        await eventually(lambda: ingestor.stats()["book_messages"] >= 1000, within_s=30)
    finally:
        await client.close()
    assert ingestor.stats()["checksum_mismatches"] == 0


def _order(kind: OrderType, side: Side, qty: str, **prices: str) -> AddOrderRequest:
    return AddOrderRequest(
        instrument=XRP,
        side=side,
        order_type=kind,
        qty=Decimal(qty),
        **{k: Decimal(v) for k, v in prices.items()},
    )


async def test_private_client_places_queries_and_cancels_every_order_type(sim: ExchangeSimulator) -> None:
    book = sim.exchange.market.pairs["XRP/USD"].book
    bid, ask = book.bids[0].price, book.asks[0].price
    far_below, far_above = (bid * Decimal("0.8")).quantize(bid), (ask * Decimal("1.2")).quantize(ask)
    resting = [
        _order(OrderType.LIMIT, Side.BUY, "100", limit_price=str(far_below)),
        _order(OrderType.STOP_LOSS, Side.SELL, "100", trigger_price=str(far_below)),
        _order(OrderType.TAKE_PROFIT, Side.SELL, "100", trigger_price=str(far_above)),
        _order(
            OrderType.STOP_LOSS_LIMIT,
            Side.SELL,
            "100",
            trigger_price=str(far_below),
            limit_price=str(far_below - Decimal("0.01")),
        ),
        _order(
            OrderType.TAKE_PROFIT_LIMIT,
            Side.SELL,
            "100",
            trigger_price=str(far_above),
            limit_price=str(far_above - Decimal("0.01")),
        ),
    ]
    async with private_client(sim) as client:
        before = await client.balance()
        txids = [(await client.add_order(r)).txid for r in resting]
        gtd = await client.add_order(
            AddOrderRequest(
                instrument=XRP,
                side=Side.BUY,
                order_type=OrderType.LIMIT,
                qty=Decimal(100),
                limit_price=far_below,
                time_in_force=TimeInForce.GTD,
                expire_time_s=int(sim.exchange.clock.wall_ns() / 1e9) + 60,
                cl_ord_id="gtd-order",
                userref=None,
            )
        )
        market = await client.add_order(_order(OrderType.MARKET, Side.BUY, "200"))
        ioc = await client.add_order(
            AddOrderRequest(
                instrument=XRP,
                side=Side.SELL,
                order_type=OrderType.LIMIT,
                qty=Decimal(100),
                limit_price=far_below,
                time_in_force=TimeInForce.IOC,
            )
        )
        await eventually(
            lambda: not sim.exchange.accounts["alice-key"].ledger.by_txid[ioc.txid or ""].is_open
        )
        open_orders = {o.txid: o for o in await client.open_orders()}
        assert set(open_orders) == {*txids, gtd.txid}
        assert {o.order_type for o in open_orders.values()} == {
            OrderType.LIMIT,
            OrderType.STOP_LOSS,
            OrderType.TAKE_PROFIT,
            OrderType.STOP_LOSS_LIMIT,
            OrderType.TAKE_PROFIT_LIMIT,
        }
        assert open_orders[gtd.txid or ""].cl_ord_id == "gtd-order"
        queried = {
            o.txid: o for o in await client.query_orders([market.txid or "", ioc.txid or ""], trades=True)
        }
        assert queried[market.txid or ""].status == "closed" and queried[market.txid or ""].trades
        assert queried[ioc.txid or ""].filled_qty == 100  # an IOC sell far below the bid fills at the bid
        assert await client.cancel_order(cl_ord_id="gtd-order") == 1
        for txid in txids:
            assert await client.cancel_order(txid=txid) == 1
        assert await client.open_orders() == ()
        after = await client.balance()
        closed = await client.closed_orders()
        history = await client.trades_history()
    assert after["XXRP"] == before["XXRP"] + 200 - 100
    assert closed.count == 8 and {o.status for o in closed.orders} == {"closed", "canceled"}
    assert {t.order_txid for t in history.trades} == {market.txid, ioc.txid}


async def test_add_order_safely_resolves_accept_then_drop_as_placed(sim: ExchangeSimulator) -> None:
    sim.exchange.faults.add(parse_faults('{"kind": "accept_then_drop", "via": "rest", "times": 1}'))
    request = AddOrderRequest(
        instrument=DOGE,
        side=Side.BUY,
        order_type=OrderType.LIMIT,
        qty=Decimal(1000),
        limit_price=Decimal("0.0500000"),
        cl_ord_id="safe-1",
    )
    async with private_client(sim) as client:
        placement = await client.add_order_safely(request)
        open_orders = await client.open_orders()
    assert placement.outcome is PlacementOutcome.PLACED and placement.resolved_by_lookup
    assert [o.txid for o in open_orders] == [placement.txid]
    assert sim.exchange.faults.active() == []


async def test_accept_then_drop_over_ws_leaves_exactly_one_order(sim: ExchangeSimulator) -> None:
    sim.exchange.faults.add(parse_faults('{"kind": "accept_then_drop", "via": "ws"}'))
    async with private_client(sim) as client:
        token = (await client.get_websockets_token()).token
        ws = await RawWs.open(sim.ws_private_url)
        await ws.send(
            "add_order",
            {
                "order_type": "limit",
                "side": "buy",
                "symbol": "XRP/USD",
                "order_qty": 50,
                "limit_price": 0.3,
                "cl_ord_id": "ws-drop",
                "token": token,
            },
        )
        with pytest.raises(ConnectionError):
            await ws.until(lambda m: m.get("method") == "add_order")
        await ws.close()
        found = await client.open_orders(cl_ord_id="ws-drop")
    assert len(found) == 1

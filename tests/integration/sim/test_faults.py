"""Every fault the simulator injects, observed from a client the way production code would see it."""

from __future__ import annotations

import time
from decimal import Decimal

import aiohttp
import pytest

from galfriday.core.clock import LiveClock
from galfriday.core.events import BookChecksumMismatched, MarketDataStale
from galfriday.core.instruments import default_instruments
from galfriday.core.types import OrderType, Side
from galfriday.kraken.orders_wire import AddOrderRequest
from galfriday.kraken.rest_private import KrakenOrderRejectedError
from galfriday.kraken.ws_public import KrakenPublicWsClient, ReconnectPolicy
from galfriday.marketdata.ingestor import DataIngestor
from galfriday.sim.server import ExchangeSimulator
from galfriday.sim.server.faults import parse_faults
from tests.integration.sim.conftest import StartSim, private_client
from tests.integration.sim.test_own_clients import PAIRS, Collector, fast_public
from tests.integration.sim.waiting import eventually
from tests.integration.sim.ws_kit import RawWs, method

QUICK = ReconnectPolicy(initial_s=0.05, max_s=0.2)
ADMIN = "admin-secret"


def _feed(
    sim: ExchangeSimulator, **client_kwargs: object
) -> tuple[DataIngestor, KrakenPublicWsClient, Collector]:
    bus = Collector()
    ingestor = DataIngestor(
        bus, LiveClock(), PAIRS, depth=10, stale_after_s=0.5, instruments=default_instruments()
    )
    client = KrakenPublicWsClient(PAIRS, ingestor, url=sim.ws_public_url, reconnect=QUICK, **client_kwargs)
    ingestor.resubscriber = client
    return ingestor, client, bus


@pytest.mark.parametrize(
    "fault",
    [
        '{"kind": "ws_drop", "target": "public", "after": 40, "times": 2}',
        '{"kind": "ws_drop", "probability": 0.02, "times": 2}',
    ],
)
async def test_dropped_connections_are_reconnected(start_sim: StartSim, fault: str) -> None:
    sim = await start_sim(speed=100.0, faults_json=fault)
    ingestor, client, _ = _feed(sim)
    client.start()
    try:
        await eventually(
            lambda: client.stats()["connections"] >= 3 and ingestor.stats()["books_valid"] == 2, 15
        )
    finally:
        await client.close()
    assert client.stats()["reconnects"] >= 2 and ingestor.stats()["disconnects"] >= 2
    assert ingestor.stats()["checksum_mismatches"] == 0
    assert sim.exchange.faults.active() == []  # both uses consumed


async def test_corrupted_checksum_is_detected_and_the_book_resubscribed(start_sim: StartSim) -> None:
    sim = await start_sim(speed=100.0)
    ingestor, client, bus = _feed(sim)
    client.start()
    try:
        await eventually(lambda: ingestor.stats()["books_published"] > 20)
        sim.exchange.faults.add(parse_faults('{"kind": "corrupt_checksum", "symbol": "XRP/USD", "times": 1}'))
        await eventually(lambda: ingestor.stats()["checksum_mismatches"] == 1)
        await eventually(lambda: client.stats()["resubscribes"] == 1 and ingestor.stats()["books_valid"] == 2)
    finally:
        await client.close()
    mismatches = [e for e in bus.events if isinstance(e, BookChecksumMismatched)]
    assert [e.pair for e in mismatches] == ["XRP/USD"]
    assert client.stats()["reconnects"] == 0


async def test_stalled_book_channel_goes_stale_while_heartbeats_keep_the_socket(start_sim: StartSim) -> None:
    sim = await start_sim()
    ingestor, client, bus = _feed(sim)
    client.start()
    ingestor.start()
    try:
        await eventually(lambda: ingestor.stats()["books_published"] > 2)
        sim.exchange.faults.add(parse_faults('{"kind": "stall", "channel": "book", "target": "public"}'))
        await eventually(lambda: ingestor.stats()["stale_events"] >= 2, within_s=5)
    finally:
        ingestor.stop()
        await client.close()
    assert {e.pair for e in bus.events if isinstance(e, MarketDataStale)} == set(PAIRS)
    assert client.stats()["reconnects"] == 0  # heartbeats kept flowing


async def test_a_fully_stalled_socket_trips_the_heartbeat_timeout(start_sim: StartSim) -> None:
    sim = await start_sim()
    ingestor, client, _ = _feed(sim, heartbeat_timeout_s=0.5)
    client.start()
    try:
        await eventually(lambda: ingestor.stats()["books_published"] > 2)
        sim.exchange.faults.add(parse_faults('{"kind": "stall", "channel": "*", "times": 1}'))
        await eventually(lambda: client.stats()["heartbeat_timeouts"] >= 1, within_s=5)
        sim.exchange.faults.clear()
        await eventually(
            lambda: client.stats()["connections"] == 2 and ingestor.stats()["books_valid"] == 2, within_s=5
        )
    finally:
        await client.close()
    assert client.stats()["reconnects"] >= 1


async def test_delay_is_measurable_on_ping_round_trips(sim: ExchangeSimulator) -> None:
    ws = await RawWs.open(sim.ws_public_url)

    async def rtt() -> float:
        start = time.perf_counter()
        await ws.send("ping")
        await ws.until(method("pong"))
        return time.perf_counter() - start

    try:
        await ws.next()  # status
        plain = min([await rtt() for _ in range(3)])
        sim.exchange.faults.add(parse_faults('{"kind": "ws_delay", "ms": 150, "target": "public"}'))
        delayed = min([await rtt() for _ in range(3)])
    finally:
        await ws.close()
    assert plain < 0.1 and delayed >= 0.15


async def test_rest_outages_are_retried_by_our_clients(sim: ExchangeSimulator) -> None:
    sim.exchange.faults.add(
        parse_faults(
            '[{"kind": "rest_error", "method": "Balance", "times": 2},'
            ' {"kind": "rest_error", "method": "Ticker", "http_status": 503, "times": 2}]'
        )
    )
    async with private_client(sim) as client:
        balance = await client.balance()
    async with fast_public(sim) as public:
        public.retry = client.retry
        ticker = await public.public("Ticker", {"pair": "XRPUSD"})
    assert balance["ZUSD"] == Decimal(100_000) and "XXRPZUSD" in ticker
    assert sim.exchange.faults.active() == []


async def test_rejected_orders_raise_typed_errors(sim: ExchangeSimulator) -> None:
    sim.exchange.faults.add(
        parse_faults('{"kind": "reject_order", "error": "EOrder:Insufficient funds", "times": 1}')
    )
    request = AddOrderRequest(
        instrument=default_instruments()["XRP/USD"],
        side=Side.BUY,
        order_type=OrderType.LIMIT,
        qty=Decimal(50),
        limit_price=Decimal("0.30000"),
    )
    async with private_client(sim) as client:
        with pytest.raises(KrakenOrderRejectedError) as refused:
            await client.add_order(request)
        second = await client.add_order(request)
    assert refused.value.errors == ("EOrder:Insufficient funds",)
    assert second.txid is not None


async def test_admin_endpoint_manages_faults_behind_its_token(start_sim: StartSim) -> None:
    sim = await start_sim(admin_token=ADMIN)
    auth = {"Authorization": f"Bearer {ADMIN}"}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{sim.admin_url}/faults", data='{"kind": "rest_error", "method": "Time"}') as r:
            assert r.status == 401
        async with http.post(
            f"{sim.admin_url}/faults",
            headers=auth,
            data='{"kind": "rest_error", "method": "Time", "times": 1}',
        ) as r:
            assert r.status == 200 and (await r.json())[0]["kind"] == "rest_error"
        async with http.get(f"{sim.rest_url}/0/public/Time") as r:
            assert (await r.json())["error"] == ["EService:Unavailable"]
        async with http.post(f"{sim.admin_url}/faults", headers=auth, data='{"kind": "nonsense"}') as r:
            assert r.status == 400 and "faults" in await r.text()
        async with http.post(
            f"{sim.admin_url}/faults", headers=auth, data='{"kind": "stall", "channel": "book"}'
        ):
            pass
        async with http.delete(f"{sim.admin_url}/faults", headers=auth) as r:
            assert await r.json() == []
        async with http.get(f"{sim.admin_url}/status", headers=auth) as r:
            status = await r.json()
    assert status["events"] > 0 and set(status["accounts"]) == {"alice-key", "bob-key"}


async def test_admin_endpoint_is_off_without_a_token(sim: ExchangeSimulator) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{sim.admin_url}/faults") as r:
        assert r.status == 404

"""WS client + ingestor over a real socket against a local Kraken-like v2 server.

The server speaks the v2 protocol (status, subscribe/unsubscribe acks, heartbeats, pong, the
instrument channel) and replays the real BTC/USD recording as one continuous market: a client that
is away misses what happens meanwhile and gets a snapshot of the market's current state when it
subscribes again. The server's own book model is deliberately simple and independent of
``galfriday``; each snapshot it builds carries the recorded checksum of that state.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest
from aiohttp import WSMsgType, web

from galfriday.core.clock import LiveClock
from galfriday.core.events import BookChecksumMismatched, DataQualityIssueDetected, OrderBookUpdated
from galfriday.kraken.ws_public import KrakenPublicWsClient, ReconnectPolicy
from galfriday.marketdata.checksum import checksum_v2
from galfriday.marketdata.ingestor import DataIngestor

PAIR = "BTC/USD"
Side = dict[Decimal, Decimal]
Levels = tuple[tuple[tuple[Decimal, Decimal], ...], tuple[tuple[Decimal, Decimal], ...]]  # bids, asks
_encode = msgspec.json.Encoder(decimal_format="number").encode


@dataclass
class Scenario:
    drop_after: int | None = None  # first connection: the server closes after this many updates
    missed_while_down: int = 0  # updates the market moves on by while the client is away
    silent_after: int | None = None  # first connection: total silence (no heartbeat, no pong) after this many
    malformed_after: int | None = None  # inject bad frames after this many updates
    corrupt_update: int | None = None  # index of the update sent with one quantity changed
    refuse_resubscribe: bool = False  # answer a second book subscribe on a connection with an error


@dataclass
class Sent:
    kind: str  # snapshot | update | corrupt
    checksum: int
    truth: Levels  # the market's book right after this message


@dataclass
class Recording:
    snapshot: dict
    updates: list[dict]
    raw_updates: list[str]


def _apply(side: Side, levels: list[dict], best_high: bool) -> None:
    for level in levels:
        if level["qty"] == 0:
            side.pop(level["price"], None)
        else:
            side[level["price"]] = level["qty"]
    for price in sorted(side, reverse=best_high)[10:]:
        del side[price]


class Market:
    """The exchange's book for one pair, advanced by the recorded updates."""

    def __init__(self, rec: Recording) -> None:
        book = rec.snapshot["data"][0]
        self.bids: Side = {}
        self.asks: Side = {}
        _apply(self.bids, book["bids"], True)
        _apply(self.asks, book["asks"], False)
        self.checksum: int = book["checksum"]

    def advance(self, update: dict) -> None:
        book = update["data"][0]
        _apply(self.bids, book["bids"], True)
        _apply(self.asks, book["asks"], False)
        self.checksum = book["checksum"]

    def levels(self) -> Levels:
        return tuple(sorted(self.bids.items(), reverse=True)), tuple(sorted(self.asks.items()))

    def snapshot_frame(self) -> str:
        bids, asks = self.levels()
        book = {
            "symbol": PAIR,
            "bids": [{"price": p, "qty": q} for p, q in bids],
            "asks": [{"price": p, "qty": q} for p, q in asks],
            "checksum": self.checksum,
        }
        return _encode({"channel": "book", "type": "snapshot", "data": [book]}).decode()


def _fmt_qty(qty: Decimal) -> Decimal:
    return qty.quantize(Decimal("0.00000001"))


class FakeKraken:
    def __init__(self, rec: Recording, scenario: Scenario) -> None:
        self.rec = rec
        self.scenario = scenario
        self.market = Market(rec)
        self.pos = 0
        self.connections = 0
        self.sent: list[Sent] = []
        self.requests: list[dict] = []
        self.silenced = False
        self.finished = asyncio.Event()

    # -- protocol --------------------------------------------------------------------------------

    async def handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.connections += 1
        conn = self.connections
        await ws.send_str(
            json.dumps(
                {
                    "channel": "status",
                    "type": "update",
                    "data": [
                        {"version": "2.0.0", "system": "online", "api_version": "v2", "connection_id": conn}
                    ],
                }
            )
        )
        tasks = {"heartbeat": asyncio.create_task(self._heartbeats(ws, conn))}
        try:
            async for frame in ws:
                if frame.type is WSMsgType.TEXT:
                    await self._on_request(ws, conn, json.loads(frame.data), tasks)
        finally:
            for task in tasks.values():
                task.cancel()
            await asyncio.gather(*tasks.values(), return_exceptions=True)
        return ws

    def _quiet(self, conn: int) -> bool:
        return self.silenced and conn == 1

    async def _on_request(self, ws: web.WebSocketResponse, conn: int, req: dict, tasks: dict) -> None:
        self.requests.append(req)
        method, params, req_id = req["method"], req.get("params", {}), req.get("req_id")
        if self._quiet(conn):
            return
        if method == "ping":
            await ws.send_str(
                json.dumps({"method": "pong", "req_id": req_id, "time_in": "x", "time_out": "y"})
            )
            return
        channel = params["channel"]
        if method == "unsubscribe":
            if channel == "book" and "book" in tasks:
                stream = tasks.pop("book")
                stream.cancel()
                await asyncio.gather(stream, return_exceptions=True)
                tasks["book_done"] = stream  # this connection had a book subscription before
            await self._ack(ws, method, req_id, channel, params.get("symbol", [None])[0], params.get("depth"))
            return
        if channel == "instrument":
            await self._ack(ws, method, req_id, channel)
            await ws.send_str(
                json.dumps(
                    {
                        "channel": "instrument",
                        "type": "snapshot",
                        "data": {
                            "assets": [],
                            "pairs": [
                                {
                                    "symbol": PAIR,
                                    "base": "BTC",
                                    "quote": "USD",
                                    "status": "online",
                                    "price_precision": 1,
                                    "qty_precision": 8,
                                    "price_increment": 0.1,
                                    "qty_increment": 1e-08,
                                    "qty_min": 0.0001,
                                    "cost_min": 0.5,
                                    "cost_precision": 5,
                                    "marginable": True,
                                    "has_index": True,
                                }
                            ],
                        },
                    }
                )
            )
        elif channel == "book":
            if self.scenario.refuse_resubscribe and ("book" in tasks or "book_done" in tasks):
                await ws.send_str(
                    json.dumps(
                        {
                            "method": method,
                            "success": False,
                            "error": "Already subscribed",
                            "symbol": params["symbol"][0],
                            "req_id": req_id,
                        }
                    )
                )
                return
            for symbol in params["symbol"]:
                await self._ack(ws, method, req_id, channel, symbol, params["depth"])
            tasks["book"] = asyncio.create_task(self._stream(ws, conn))
        else:
            for symbol in params["symbol"]:
                await self._ack(ws, method, req_id, channel, symbol)

    @staticmethod
    async def _ack(ws, method, req_id, channel, symbol=None, depth=None) -> None:
        result = {"channel": channel}
        if symbol is not None:
            result["symbol"] = symbol
        if depth is not None:
            result["depth"] = depth
        await ws.send_str(
            json.dumps(
                {
                    "method": method,
                    "result": result,
                    "success": True,
                    "req_id": req_id,
                    "time_in": "2023-07-30T15:29:58Z",
                    "time_out": "2023-07-30T15:29:58Z",
                }
            )
        )

    async def _heartbeats(self, ws: web.WebSocketResponse, conn: int) -> None:
        while not ws.closed:
            if not self._quiet(conn):
                await ws.send_str('{"channel":"heartbeat"}')
            await asyncio.sleep(0.05)

    # -- the market --------------------------------------------------------------------------------

    async def _stream(self, ws: web.WebSocketResponse, conn: int) -> None:
        sc = self.scenario
        await ws.send_str(self.market.snapshot_frame())
        self.sent.append(Sent("snapshot", self.market.checksum, self.market.levels()))
        count = 0
        while self.pos < len(self.rec.updates):
            if conn == 1 and count == sc.drop_after:
                for _ in range(sc.missed_while_down):
                    self.market.advance(self.rec.updates[self.pos])
                    self.pos += 1
                await ws.close()
                return
            if conn == 1 and count == sc.silent_after:
                self.silenced = True
                await asyncio.Event().wait()
            if count == sc.malformed_after:
                await self._send_malformed(ws)
            raw, kind = self.rec.raw_updates[self.pos], "update"
            if self.pos == sc.corrupt_update:
                raw, kind = self._corrupted(self.pos), "corrupt"
            await ws.send_str(raw)
            self.market.advance(self.rec.updates[self.pos])
            self.sent.append(Sent(kind, self.market.checksum, self.market.levels()))
            self.pos += 1
            count += 1
            await asyncio.sleep(0)
        self.finished.set()

    def _corrupted(self, index: int) -> str:
        update = json.loads(self.rec.raw_updates[index], parse_float=Decimal)
        book = update["data"][0]
        level = (book["asks"] or book["bids"])[-1]
        level["qty"] = _fmt_qty(level["qty"] + Decimal("0.00000001"))
        return _encode(update).decode()

    async def _send_malformed(self, ws: web.WebSocketResponse) -> None:
        ts = '"timestamp":"2023-07-30T15:30:00.000000Z"'
        await ws.send_str("{not json")
        await ws.send_str(
            '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":"oops","checksum":1}]}'
        )
        await ws.send_str(
            '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD",'
            '"bids":[{"price":NaN,"qty":1.0}],"asks":[],"checksum":1,' + ts + "}]}"
        )
        await ws.send_str(
            '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD",'
            '"bids":[{"price":"NaN","qty":1.0}],"asks":[],"checksum":1,' + ts + "}]}"
        )


# ---------------------------------------------------------------------------------- harness


class _Fixture(msgspec.Struct):
    init: msgspec.Raw
    updates: list[msgspec.Raw]


@pytest.fixture(scope="module")
def recording(shared_data: Path) -> Recording:
    doc = msgspec.json.decode(
        (shared_data / "python-kraken-sdk/orderbook-v2.json").read_bytes(), type=_Fixture
    )
    raws = [bytes(m) for m in doc.updates]
    return Recording(
        snapshot=json.loads(bytes(doc.init), parse_float=Decimal),
        updates=[json.loads(r, parse_float=Decimal) for r in raws],
        raw_updates=[msgspec.json.format(r, indent=-1).decode() for r in raws],
    )


class Recorder:
    def __init__(self) -> None:
        self.events: list = []

    def publish(self, event: object) -> None:
        self.events.append(event)

    def of(self, cls: type) -> list:
        return [e for e in self.events if isinstance(e, cls)]


@dataclass
class Run:
    server: FakeKraken
    client: KrakenPublicWsClient
    ingestor: DataIngestor
    bus: Recorder
    published: list[OrderBookUpdated] = field(default_factory=list)
    valid_before_close: bool = False


async def run_feed(recording: Recording, scenario: Scenario, **client_kwargs) -> Run:
    server = FakeKraken(recording, scenario)
    app = web.Application()
    app.router.add_get("/v2", server.handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    bus = Recorder()
    clock = LiveClock()
    ingestor = DataIngestor(bus, clock, [PAIR], stale_after_s=60)
    options = {
        "heartbeat_timeout_s": 2.0,
        "ping_interval_s": 0.05,
        "ack_timeout_s": 2.0,
        "reconnect": ReconnectPolicy(initial_s=0.02, max_s=0.1),
        **client_kwargs,
    }
    client = KrakenPublicWsClient([PAIR], ingestor, url=f"http://{host}:{port}/v2", **options)
    ingestor.resubscriber = client
    ingestor.start()
    client.start()
    try:
        await asyncio.wait_for(server.finished.wait(), timeout=20)
        for _ in range(500):  # let the client drain what the server sent
            books = bus.of(OrderBookUpdated)
            if books and books[-1].checksum == server.sent[-1].checksum:
                break
            await asyncio.sleep(0.01)
        book = ingestor.book(PAIR)
        valid = book is not None and book.valid
    finally:
        await client.close()
        ingestor.stop()
        clock.cancel_all()
        with contextlib.suppress(Exception):
            await runner.cleanup()
    assert not ingestor.book(PAIR).valid  # close() dropped the connection: the book is no longer live
    return Run(server, client, ingestor, bus, bus.of(OrderBookUpdated), valid)


def expected_publications(sent: list[Sent]) -> list[Sent]:
    """What a correct ingestor publishes: everything except a corrupted update and what follows it
    until the next snapshot."""
    out, dropped = [], False
    for item in sent:
        if item.kind == "corrupt":
            dropped = True
        elif item.kind == "snapshot" or not dropped:
            dropped = False
            out.append(item)
    return out


def assert_published_exactly(run: Run) -> None:
    expected = expected_publications(run.server.sent)
    assert [b.checksum for b in run.published] == [s.checksum for s in expected]
    for book, truth in zip(run.published, expected, strict=True):
        bids = tuple((x.price, x.qty) for x in book.bids)
        asks = tuple((x.price, x.qty) for x in book.asks)
        assert (bids, asks) == truth.truth  # the market's book at that moment, nothing mixed in
        assert checksum_v2(asks, bids, 1, 8) == book.checksum


# ---------------------------------------------------------------------------------- scenarios


async def test_replays_recording_over_socket(recording: Recording) -> None:
    run = await run_feed(recording, Scenario(), ping_interval_s=0.01)
    assert len(run.published) == 510 and run.valid_before_close
    assert_published_exactly(run)
    assert run.ingestor.stats()["checksum_mismatches"] == 0
    stats = run.client.stats()
    assert stats["connections"] == 1 and stats["reconnects"] == 0 and stats["malformed"] == 0
    assert stats["pongs"] >= 1
    channels = [r["params"]["channel"] for r in run.server.requests if r["method"] == "subscribe"]
    assert channels == ["instrument", "book", "trade"]
    book_sub = next(r for r in run.server.requests if r.get("params", {}).get("channel") == "book")
    assert book_sub["params"] == {"channel": "book", "symbol": [PAIR], "depth": 10, "snapshot": True}
    assert not run.client.connected


async def test_connection_dropped_mid_stream(recording: Recording) -> None:
    run = await run_feed(recording, Scenario(drop_after=100, missed_while_down=50))
    assert run.server.connections == 2
    assert run.client.stats()["reconnects"] == 1
    subs = [r for r in run.server.requests if r["method"] == "subscribe"]
    assert [r["params"]["channel"] for r in subs] == ["instrument", "book", "trade"] * 2  # resubscribed
    assert_published_exactly(run)
    assert len(run.published) == 1 + 100 + 1 + (509 - 150)
    after_drop = run.published[101]
    assert after_drop.is_snapshot and after_drop.checksum == recording.updates[149]["data"][0]["checksum"]
    stats = run.ingestor.stats()
    assert stats["checksum_mismatches"] == 0 and stats["disconnects"] == 2  # the drop, then close()
    gaps = [e for e in run.bus.of(DataQualityIssueDetected) if e.kind == "gap" and e.pair == PAIR]
    assert len(gaps) >= 1


async def test_malformed_frames_are_counted_and_dropped(recording: Recording) -> None:
    run = await run_feed(recording, Scenario(malformed_after=50))
    assert run.client.stats()["malformed"] == 3  # invalid JSON, wrong type, NaN literal
    assert run.client.stats()["reconnects"] == 0
    kinds = [e.kind for e in run.bus.of(DataQualityIssueDetected)]
    assert kinds.count("malformed") == 3 and kinds.count("bad_value") == 1  # "NaN" as a string
    assert len(run.published) == 510
    assert_published_exactly(run)
    assert run.ingestor.stats()["malformed"] == 3


async def test_heartbeat_timeout_reconnects(recording: Recording) -> None:
    run = await run_feed(recording, Scenario(silent_after=100), heartbeat_timeout_s=0.3, ping_interval_s=0.1)
    stats = run.client.stats()
    assert stats["heartbeat_timeouts"] == 1 and stats["reconnects"] == 1
    assert run.server.connections == 2
    assert_published_exactly(run)
    assert run.published[101].is_snapshot


async def test_checksum_mismatch_resubscribes_on_the_same_connection(recording: Recording) -> None:
    run = await run_feed(recording, Scenario(corrupt_update=200))
    (mismatch,) = run.bus.of(BookChecksumMismatched)
    assert mismatch.expected == recording.updates[200]["data"][0]["checksum"]
    assert run.client.stats()["resubscribes"] == 1 and run.client.stats()["reconnects"] == 0
    methods = [(r["method"], r["params"]["channel"]) for r in run.server.requests if r["method"] != "ping"]
    assert methods[-2:] == [("unsubscribe", "book"), ("subscribe", "book")]
    unsub = next(r for r in run.server.requests if r["method"] == "unsubscribe")
    assert unsub["params"] == {"channel": "book", "symbol": [PAIR], "depth": 10}
    assert_published_exactly(run)
    assert run.published[201].is_snapshot  # right after the first snapshot and updates 0..199
    assert run.valid_before_close


async def test_refused_resubscribe_falls_back_to_reconnect(recording: Recording) -> None:
    run = await run_feed(recording, Scenario(corrupt_update=200, refuse_resubscribe=True))
    stats = run.client.stats()
    assert stats["resubscribe_failures"] == 1 and stats["reconnects"] == 1
    assert run.server.connections == 2
    assert_published_exactly(run)
    assert run.valid_before_close


async def test_unreachable_server_backs_off_and_closes_promptly(unused_tcp_port: int) -> None:
    policy = ReconnectPolicy(initial_s=0.01, max_s=0.04)

    class Consumer:
        def on_message(self, msg: object) -> None: ...

        def on_connection_lost(self, reason: str) -> None:
            raise AssertionError("never connected, so nothing was lost")

        def on_malformed(self, detail: str) -> None: ...

    client = KrakenPublicWsClient(
        [PAIR], Consumer(), url=f"http://127.0.0.1:{unused_tcp_port}/v2", reconnect=policy
    )
    client.start()
    for _ in range(200):
        if client.stats()["connect_failures"] >= 4:
            break
        await asyncio.sleep(0.01)
    await asyncio.wait_for(client.close(), timeout=1)
    stats = client.stats()
    assert stats["connect_failures"] >= 4 and stats["reconnects"] >= 4 and stats["connections"] == 0

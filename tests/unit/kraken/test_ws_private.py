"""The private WS client's frame handling and its connection loop against a local server.

Frames: fills are delivered once however often a snapshot repeats them, the first executions
snapshot makes the client ready, balances are kept, a malformed frame and a refused subscription
are reported. Socket: every connection asks for a new token and subscribes with the snapshot
options that replay missed fills; a silent server costs the connection.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from galfriday.kraken.orders_wire import ExecutionsMessage
from galfriday.kraken.rest_private import WebSocketToken
from galfriday.kraken.rest_public import KrakenError
from galfriday.kraken.ws_private import KrakenPrivateWsClient
from galfriday.kraken.ws_public import ReconnectPolicy


class Consumer:
    def __init__(self, fail: bool = False) -> None:
        self.messages: list[ExecutionsMessage] = []
        self.lost: list[str] = []
        self.fail = fail

    def on_executions(self, message: ExecutionsMessage) -> None:
        if self.fail:
            raise RuntimeError("consumer bug")
        self.messages.append(message)

    def on_connection_lost(self, reason: str) -> None:
        self.lost.append(reason)


class Tokens:
    def __init__(self, fail_first: int = 0) -> None:
        self.issued: list[str] = []
        self.fail_first = fail_first

    async def get_websockets_token(self) -> WebSocketToken:
        if self.fail_first:
            self.fail_first -= 1
            raise KrakenError("Kraken GetWebSocketsToken failed: EService:Unavailable")
        token = f"token-{len(self.issued) + 1}"
        self.issued.append(token)
        return WebSocketToken(token=token, expires_s=900)


class FakeWs:
    def __init__(self) -> None:
        self.closed = False

    async def close(self) -> None:
        self.closed = True


def trade(exec_id: str) -> dict[str, Any]:
    return {
        "exec_type": "trade",
        "order_id": "O-1",
        "timestamp": "2026-01-01T00:00:00Z",
        "exec_id": exec_id,
        "last_qty": 1,
        "last_price": 0.5,
    }


def executions(*data: dict[str, Any], snapshot: bool = False) -> str:
    return json.dumps(
        {"channel": "executions", "type": "snapshot" if snapshot else "update", "data": list(data)}
    )


def client(consumer: Consumer, errors: list[str] | None = None, **kw: Any) -> KrakenPrivateWsClient:
    sink = errors if errors is not None else []
    return KrakenPrivateWsClient(Tokens(), consumer, on_error=sink.append, **kw)


def test_fills_are_delivered_once_and_the_snapshot_makes_it_ready() -> None:
    consumer = Consumer()
    ws = client(consumer)
    ws._on_frame(FakeWs(), executions(trade("T-1")))  # type: ignore[arg-type]
    assert not ws.ready
    ws._on_frame(FakeWs(), executions(trade("T-1"), trade("T-2"), snapshot=True))  # type: ignore[arg-type]
    ws._on_frame(FakeWs(), executions(trade("T-2")))  # type: ignore[arg-type]
    assert ws.ready
    assert [[r.exec_id for r in m.reports] for m in consumer.messages] == [["T-1"], ["T-2"]]
    assert consumer.messages[1].is_snapshot
    assert ws.stats()["duplicate_fills"] == 2 and ws.stats()["snapshots"] == 1


def test_a_snapshot_of_only_repeats_still_reaches_the_consumer() -> None:
    consumer = Consumer()
    ws = client(consumer)
    ws._on_frame(FakeWs(), executions(trade("T-1")))  # type: ignore[arg-type]
    ws._on_frame(FakeWs(), executions(trade("T-1"), snapshot=True))  # type: ignore[arg-type]
    assert [(m.is_snapshot, m.reports) for m in consumer.messages][1] == (True, ())


def test_balances_are_kept_per_asset() -> None:
    ws = client(Consumer())
    snapshot = {"channel": "balances", "type": "snapshot", "data": [{"asset": "USD", "balance": 100.5}]}
    update = {
        "channel": "balances",
        "type": "update",
        "data": [{"asset": "XRP", "balance": 40, "amount": 40}],
    }
    for frame in (snapshot, update):
        ws._on_frame(FakeWs(), json.dumps(frame))  # type: ignore[arg-type]
    assert ws.balances == {"USD": Decimal("100.5"), "XRP": Decimal(40)}


def test_malformed_frames_and_consumer_bugs_are_reported_not_fatal() -> None:
    errors: list[str] = []
    ws = client(Consumer(fail=True), errors)
    ws._on_frame(FakeWs(), '{"channel":"executions","type":"update","data":[{"exec_type":"bogus"}]}')  # type: ignore[arg-type]
    ws._on_frame(FakeWs(), b"\xff")  # type: ignore[arg-type]
    ws._on_frame(FakeWs(), executions(trade("T-1")))  # type: ignore[arg-type]
    assert ws.stats()["malformed"] == 2 and len(errors) == 2
    assert ws.stats()["consumer_errors"] == 1


async def test_a_refused_subscription_drops_the_connection() -> None:
    ws = client(Consumer())
    socket = FakeWs()
    refused = {"method": "subscribe", "success": False, "error": "ESession:Invalid session", "req_id": 1}
    ws._on_frame(socket, json.dumps(refused))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    assert socket.closed and ws.stats()["subscribe_errors"] == 1


class PrivateServer:
    """A WS endpoint that records subscriptions, sends a snapshot per connection, then (for the
    first connection only) goes silent so the client must time out and reconnect."""

    def __init__(self) -> None:
        self.subscriptions: list[dict[str, Any]] = []
        self.connections = 0

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.connections += 1
        async for frame in ws:
            message = json.loads(frame.data)
            if message["method"] != "subscribe":
                continue
            self.subscriptions.append(message["params"])
            await ws.send_str(
                json.dumps({"method": "subscribe", "success": True, "req_id": message["req_id"]})
            )
            if message["params"]["channel"] == "executions":
                await ws.send_str(executions(trade("T-1"), snapshot=True))
        return ws


@pytest.fixture
async def server() -> AsyncIterator[tuple[PrivateServer, str]]:
    private = PrivateServer()
    app = web.Application()
    app.router.add_get("/v2", private.handle)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    yield private, str(test_server.make_url("/v2")).replace("http", "ws", 1)
    await test_server.close()


async def test_each_connection_gets_a_new_token_and_replays_fills(server: tuple[PrivateServer, str]) -> None:
    private, url = server
    consumer, tokens, errors = Consumer(), Tokens(fail_first=1), []
    ws = KrakenPrivateWsClient(
        tokens,
        consumer,
        url=url,
        heartbeat_timeout_s=0.3,
        reconnect=ReconnectPolicy(initial_s=0.01, max_s=0.02),
        on_error=errors.append,
    )
    ws.start()
    try:
        await ws.wait_ready(5)
        await asyncio.sleep(0.5)  # silence: the heartbeat timeout drops it; the next connection follows
        await ws.wait_ready(5)
    finally:
        await ws.close()
    assert private.connections >= 2 and len(tokens.issued) == private.connections
    assert len(set(tokens.issued)) == len(tokens.issued)
    assert len(errors) == 1  # the failed token request is an API error
    executions_subs = [s for s in private.subscriptions if s["channel"] == "executions"]
    assert all(
        (s["snap_orders"], s["snap_trades"], s["order_status"], s["token"]) == (True, True, True, t)
        for s, t in zip(executions_subs, tokens.issued, strict=False)
    )
    assert {s["channel"] for s in private.subscriptions} == {"executions", "balances"}
    assert [r.exec_id for m in consumer.messages for r in m.reports] == ["T-1"]  # replayed, delivered once
    assert consumer.lost and all("heartbeat" in reason or "token" in reason for reason in consumer.lost)

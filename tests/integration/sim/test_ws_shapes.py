"""WS v2: the recorded sample messages parse with our own decoders, and the simulator's messages
have the samples' shapes (and parse with the same decoders)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from galfriday.kraken.orders_wire import decode_executions
from galfriday.kraken.ws_schemas import (
    BookMessage,
    OtherMessage,
    Pong,
    SubscriptionAck,
    TradeMessage,
    decode_message,
)
from galfriday.sim.server import ExchangeSimulator
from galfriday.sim.server.faults import parse_faults
from tests.conftest import SHARED_DATA
from tests.integration.sim.conftest import private_client
from tests.integration.sim.ws_kit import RawWs, channel, method
from tests.unit.sim.server.shapes import shape_diff

SPOT_SAMPLES = {
    "ws_book_snapshot": BookMessage,
    "ws_book_update": BookMessage,
    "ws_trade_update": TradeMessage,
    "ws_subscribe_response": SubscriptionAck,
    "ws_pong": Pong,
}


def _sample(shared: Path, name: str) -> dict[str, Any]:
    return json.loads((shared / "nautilus_trader" / "kraken" / f"{name}.json").read_text())


def _spot_sample_names() -> list[str]:
    folder = SHARED_DATA / "nautilus_trader" / "kraken"
    return sorted(p.stem for p in folder.glob("ws_*.json") if not p.stem.startswith("ws_futures"))


@pytest.mark.parametrize("name", _spot_sample_names())
def test_spot_samples_parse_with_our_decoder(shared_data: Path, name: str) -> None:
    raw = (shared_data / "nautilus_trader" / "kraken" / f"{name}.json").read_bytes()
    decoded = decode_message(raw)  # raises MalformedMessage if our decoder rejects Kraken's shape
    assert isinstance(decoded, SPOT_SAMPLES.get(name, OtherMessage))


async def test_public_messages_have_the_samples_shapes(sim: ExchangeSimulator, shared_data: Path) -> None:
    ws = await RawWs.open(sim.ws_public_url)
    try:
        await ws.send("subscribe", {"channel": "ticker", "symbol": ["XRP/USD"]})
        ack = await ws.until(method("subscribe"))
        assert shape_diff(ack, _sample(shared_data, "ws_subscribe_response")) == []
        ticker = await ws.until(channel("ticker", "snapshot"))
        assert shape_diff(ticker, _sample(shared_data, "ws_ticker_snapshot")) == []
        await ws.send("subscribe", {"channel": "book", "symbol": ["XRP/USD"], "depth": 10})
        snapshot = await ws.until(channel("book", "snapshot"))
        assert shape_diff(snapshot, _sample(shared_data, "ws_book_snapshot")) == []
        update = await ws.until(channel("book", "update"))
        assert shape_diff(update, _sample(shared_data, "ws_book_update")) == []
        await ws.send("subscribe", {"channel": "trade", "symbol": ["XRP/USD", "DOGE/USD"], "snapshot": False})
        trades = await ws.until(channel("trade", "update"), within_s=20)
        assert shape_diff(trades, _sample(shared_data, "ws_trade_update")) == []
        await ws.send("ping")
        pong = await ws.until(method("pong"))
        assert shape_diff(pong, _sample(shared_data, "ws_pong")) == []
        status = json.loads(ws.frames[0])
        assert status["channel"] == "status" and status["data"][0]["system"] == "online"
    finally:
        await ws.close()
    decoded = [decode_message(frame) for frame in ws.frames]
    kinds = {type(m).__name__ for m in decoded}
    assert {"StatusMessage", "SubscriptionAck", "BookMessage", "TradeMessage", "Pong"} <= kinds


async def test_private_messages_have_the_samples_shapes(sim: ExchangeSimulator, shared_data: Path) -> None:
    async with private_client(sim) as rest:
        token = (await rest.get_websockets_token()).token
    ws = await RawWs.open(sim.ws_private_url)
    try:
        await ws.send("subscribe", {"channel": "executions", "token": token})
        await ws.until(method("subscribe"))
        snapshot = await ws.until(channel("executions", "snapshot"))
        assert decode_executions(json.dumps(snapshot, default=str)).is_snapshot
        request = _sample(shared_data, "ws_add_order_request")["params"]
        params = {
            **request,
            "symbol": "XRP/USD",
            "order_qty": 50,
            "limit_price": 0.3,
            "cl_ord_id": "O-SIM-1",
            "token": token,
        }
        await ws.send("add_order", params)
        ok = await ws.until(method("add_order"))
        assert shape_diff(ok, _sample(shared_data, "ws_add_order_response_success")) == []
        await ws.send("add_order", {**params, "cl_ord_id": "O-SIM-2", "order_qty": 10_000_000})
        failed = await ws.until(method("add_order"))
        assert failed["error"] == "EOrder:Insufficient funds"
        assert shape_diff(failed, _sample(shared_data, "ws_add_order_response_failure")) == []
        await ws.until(lambda m: m.get("channel") == "executions" and m["data"][0]["exec_type"] == "new")
    finally:
        await ws.close()
    reports = [
        r for f in ws.frames if '"executions"' in f and '"update"' in f for r in decode_executions(f).reports
    ]
    assert [(r.exec_type, r.cl_ord_id, r.symbol) for r in reports] == [
        ("pending_new", "O-SIM-1", "XRP/USD"),
        ("new", "O-SIM-1", "XRP/USD"),
    ]


async def test_heartbeats_when_a_subscribed_socket_is_idle(sim: ExchangeSimulator) -> None:
    sim.exchange.faults.add(parse_faults('{"kind": "stall", "channel": "book"}'))  # nothing else to send
    ws = await RawWs.open(sim.ws_public_url)
    try:
        await ws.send("subscribe", {"channel": "book", "symbol": ["XRP/USD"], "snapshot": False})
        await ws.until(method("subscribe"))
        started = time.perf_counter()
        await ws.until(channel("heartbeat"), within_s=3)
        gap = time.perf_counter() - started
    finally:
        await ws.close()
    assert 0.8 < gap < 2.0

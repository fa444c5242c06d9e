"""What the public and private WS endpoints share: accepting a client, the first ``status``
message, reading requests, ``ping``/``pong``, and answering malformed requests.

Requests are JSON objects ``{"method": ..., "params": {...}, "req_id": n}``, decoded with exact
decimals. Subclasses implement ``dispatch`` for their methods and ``forget`` for cleanup; every
answer is queued through the connection (so WS faults apply to answers too).
"""

from __future__ import annotations

import itertools
import json
import logging
from decimal import Decimal
from typing import Any

from aiohttp import WSMsgType, web

from galfriday.sim.server import render_ws
from galfriday.sim.server.config import SimulatorConfig
from galfriday.sim.server.exchange import Exchange
from galfriday.sim.server.ws_connection import WsConnection

logger = logging.getLogger(__name__)

_connection_ids = itertools.count(1)
_MAX_REQUEST_BYTES = 1 << 20


class WsHub:
    where = "public"

    def __init__(self, exchange: Exchange, config: SimulatorConfig) -> None:
        self.ex = exchange
        self.config = config
        self.connections: set[WsConnection] = set()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=None, max_msg_size=_MAX_REQUEST_BYTES)
        await ws.prepare(request)
        conn = WsConnection(
            request,
            ws,
            self.where,
            connection_id=next(_connection_ids),
            faults=self.ex.faults,
            heartbeat_s=self.config.heartbeat_s,
            queue_limit=self.config.ws_queue_limit,
        )
        self.connections.add(conn)
        conn.start()
        conn.send(render_ws.status(conn.connection_id), "status")
        try:
            async for frame in ws:
                if frame.type is WSMsgType.TEXT:
                    self._on_text(conn, frame.data)
                elif frame.type is WSMsgType.ERROR:
                    break
        finally:
            self.connections.discard(conn)
            self.forget(conn)
            await conn.stop()
        return ws

    def _on_text(self, conn: WsConnection, text: str) -> None:
        time_in = self.ex.clock.wall_ns()
        try:
            request = json.loads(text, parse_float=Decimal)
        except ValueError:
            conn.send({"error": "EGeneral:Invalid arguments:malformed JSON", "success": False}, "response")
            return
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            conn.send({"error": "EGeneral:Invalid arguments:method", "success": False}, "response")
            return
        method, req_id = request["method"], request.get("req_id")
        params = request.get("params") or {}
        if method == "ping":
            conn.send(self.reply("pong", req_id, time_in), "pong")
            return
        if not isinstance(params, dict):
            conn.send(
                self.reply(method, req_id, time_in, error="EGeneral:Invalid arguments:params"), "response"
            )
            return
        self.dispatch(conn, method, params, req_id, time_in)

    def reply(
        self, method: str, req_id: Any, time_in: int, *, result: Any = None, error: str | None = None
    ) -> dict[str, Any]:
        out = render_ws.response(method, req_id, time_in, self.ex.clock.wall_ns(), result=result, error=error)
        if method == "pong":
            del out["success"]
        return out

    def dispatch(
        self, conn: WsConnection, method: str, params: dict[str, Any], req_id: Any, time_in: int
    ) -> None:
        conn.send(self.reply(method, req_id, time_in, error=f"Method not found: {method}"), "response")

    def forget(self, conn: WsConnection) -> None:
        """The connection closed: drop its subscriptions."""

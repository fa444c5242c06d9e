"""A bare WS v2 client for tests: send requests, collect messages by channel or method."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import aiohttp


class RawWs:
    def __init__(self, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.session, self.ws = session, ws
        self.frames: list[str] = []
        self._req = 0

    @classmethod
    async def open(cls, url: str) -> RawWs:
        session = aiohttp.ClientSession()
        return cls(session, await session.ws_connect(url, heartbeat=None))

    async def close(self) -> None:
        await self.ws.close()
        await self.session.close()

    async def send(self, method: str, params: dict[str, Any] | None = None) -> int:
        self._req += 1
        body: dict[str, Any] = {"method": method, "req_id": self._req}
        if params is not None:
            body["params"] = params
        await self.ws.send_str(json.dumps(body))
        return self._req

    async def next(self, within_s: float = 3.0) -> dict[str, Any]:
        frame = await self.ws.receive(timeout=within_s)
        if frame.type is not aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"socket closed: {frame.type}")
        self.frames.append(frame.data)
        return json.loads(frame.data, parse_float=Decimal)

    async def until(self, predicate: Any, within_s: float = 5.0) -> dict[str, Any]:
        """The first message (from now) for which ``predicate(msg)`` is true."""
        async with asyncio.timeout(within_s):
            while True:
                msg = await self.next(within_s)
                if predicate(msg):
                    return msg


def channel(name: str, kind: str | None = None) -> Any:
    return lambda m: m.get("channel") == name and (kind is None or m.get("type") == kind)


def method(name: str) -> Any:
    return lambda m: m.get("method") == name

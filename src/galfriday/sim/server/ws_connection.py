"""One WebSocket client of the simulator: its outbound queue, writer task and the WS faults.

Everything sent to a client goes through ``send``, which is synchronous and never blocks the
exchange: frames are queued and a per-connection writer task puts them on the socket. That is
also where the WS faults act, per connection:

- ``stall``: matching frames are discarded at ``send`` (the socket stays open);
- ``ws_delay``: the writer holds each matching frame that long before sending (order is kept);
- ``ws_drop``: after a frame is sent, a matching fault may cut the connection — the transport is
  aborted without a close frame, as a network failure would;
- ``heartbeat``: when the queue stays empty for ``heartbeat_s`` and the client is subscribed to
  something, the writer sends ``{"channel":"heartbeat"}`` (Kraken: about once a second).

A client that falls more than ``queue_limit`` frames behind is disconnected, as Kraken drops slow
consumers, instead of letting the queue grow without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import web

from galfriday.sim.server import render_ws, wire
from galfriday.sim.server.faults import FaultInjector

logger = logging.getLogger(__name__)

_HEARTBEAT = wire.encode(render_ws.HEARTBEAT).decode()


class WsConnection:
    def __init__(
        self,
        request: web.Request,
        ws: web.WebSocketResponse,
        where: str,
        *,
        connection_id: int,
        faults: FaultInjector,
        heartbeat_s: float,
        queue_limit: int,
    ) -> None:
        self.request = request
        self.ws = ws
        self.where = where  # public | private
        self.connection_id = connection_id
        self.subscribed = False
        self.sent = 0
        self._faults = faults
        self._heartbeat_s = heartbeat_s
        self._limit = queue_limit
        self._queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self.closed = False

    @property
    def backlog(self) -> int:
        """Frames queued but not yet sent."""
        return self._queue.qsize()

    def start(self) -> None:
        self._writer = asyncio.get_running_loop().create_task(
            self._write_loop(), name=f"ws-{self.where}-writer"
        )

    def send(self, message: dict[str, Any] | str, channel: str, symbol: str | None = None) -> None:
        """Queue one message (a dict, or an already encoded frame shared by many clients)."""
        if self.closed or self._faults.stalled(self.where, channel, symbol):
            return
        if self._queue.qsize() >= self._limit:
            logger.warning(
                "WS %s #%d: %d frames behind; disconnecting the slow client",
                self.where,
                self.connection_id,
                self._limit,
            )
            self.abort()
            return
        frame = message if isinstance(message, str) else wire.encode(message).decode()
        self._queue.put_nowait((frame, channel))

    async def _write_loop(self) -> None:
        queue = self._queue
        try:
            while not self.closed:
                if queue.empty():
                    try:
                        async with asyncio.timeout(self._heartbeat_s):
                            frame, channel = await queue.get()
                    except TimeoutError:
                        if not self.subscribed or self._faults.stalled(self.where, "heartbeat", None):
                            continue
                        frame, channel = _HEARTBEAT, "heartbeat"
                else:
                    frame, channel = queue.get_nowait()
                delay = self._faults.delay_s(self.where, channel)
                if delay:
                    await asyncio.sleep(delay)
                await self.ws.send_str(frame)
                self.sent += 1
                if self._faults.drop(self.where, self.sent):
                    logger.info(
                        "WS %s #%d: dropped after %d messages (ws_drop fault)",
                        self.where,
                        self.connection_id,
                        self.sent,
                    )
                    self.abort()
        except (ConnectionError, RuntimeError) as exc:  # the client went away mid-send
            logger.debug("WS %s #%d writer stopped: %r", self.where, self.connection_id, exc)
            self.closed = True

    def abort(self) -> None:
        """Cut the connection like a network failure: no close frame."""
        self.closed = True
        transport = self.request.transport
        if transport is not None:
            transport.abort()

    async def stop(self) -> None:
        self.closed = True
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer

"""Kraken WebSocket v2 public client: book, trade and instrument channels for the traded pairs.

The client owns the connection and nothing else: it subscribes, keeps the socket alive, decodes
every frame (``ws_schemas``) and hands the result to a consumer – in production the
``DataIngestor``, which owns the books. It

- subscribes ``instrument`` first (precisions are needed to verify book checksums), then ``book``
  at the configured depth and ``trade`` for all pairs, again after every reconnect;
- sends an application ``ping`` every ``ping_interval_s``; the socket is considered dead after
  ``heartbeat_timeout_s`` without any frame (Kraken sends a heartbeat about every second);
- reconnects after any failure with exponential backoff and jitter (``ReconnectPolicy``), telling
  the consumer first (``on_connection_lost``) so it drops state from the old connection;
- counts, logs and drops a malformed frame (``on_malformed``) and survives a consumer that raises;
- ``resubscribe_book(pair)`` gets a fresh snapshot (unsubscribe, wait for the ack, subscribe); if
  Kraken refuses or does not answer, it reconnects, which also yields fresh snapshots.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import msgspec

from galfriday.kraken.ws_reconnect import ReconnectingWsClient
from galfriday.kraken.ws_schemas import (
    BookMessage,
    MalformedMessage,
    Pong,
    SubscriptionAck,
    WsMessage,
    decode_message,
)

logger = logging.getLogger(__name__)

DEFAULT_URL = "wss://ws.kraken.com/v2"
BOOK_DEPTHS = (10, 25, 100, 500, 1000)


class FeedConsumer(Protocol):
    """What the client hands data to. Called on the event loop; must not block."""

    def on_message(self, msg: WsMessage) -> None: ...

    def on_connection_lost(self, reason: str) -> None: ...

    def on_malformed(self, detail: str) -> None: ...


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """Exponential backoff: ``initial_s`` doubling (``factor``) up to ``max_s``.

    Each delay is scaled down by up to ``jitter`` (a fraction) so many clients restarting together
    do not reconnect in lockstep.
    """

    initial_s: float = 1.0
    max_s: float = 60.0
    factor: float = 2.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if not (0 < self.initial_s <= self.max_s) or self.factor < 1 or not 0 <= self.jitter < 1:
            raise ValueError(
                f"invalid reconnect policy {self}: need 0 < initial_s <= max_s, factor >= 1, 0 <= jitter < 1"
            )

    def delay(self, attempt: int, rand: float) -> float:
        """Delay before reconnect ``attempt`` (0-based); ``rand`` is uniform in [0, 1)."""
        base = min(self.max_s, self.initial_s * self.factor ** min(attempt, 64))
        return base * (1.0 - self.jitter * rand)


class _AckFailed(Exception):
    pass


class KrakenPublicWsClient(ReconnectingWsClient):
    """Public market data from Kraken WS v2 for a fixed set of pairs."""

    LABEL = "Kraken WS"
    RECONNECT_NOTE = ""

    def __init__(
        self,
        pairs: Sequence[str],
        consumer: FeedConsumer,
        *,
        url: str = DEFAULT_URL,
        book_depth: int = 10,
        trades: bool = True,
        instruments: bool = True,
        heartbeat_timeout_s: float = 15.0,
        ping_interval_s: float = 10.0,
        ack_timeout_s: float = 10.0,
        connect_timeout_s: float = 10.0,
        reconnect: ReconnectPolicy | None = None,
        rng: Callable[[], float] = random.random,
        session: aiohttp.ClientSession | None = None,
        max_msg_bytes: int = 32 * 1024 * 1024,  # the instrument snapshot lists every Kraken pair
    ) -> None:
        if not pairs:
            raise ValueError("KrakenPublicWsClient needs at least one pair, e.g. ['XRP/USD']")
        if book_depth not in BOOK_DEPTHS:
            raise ValueError(f"book_depth {book_depth} is not one Kraken offers: {BOOK_DEPTHS}")
        if min(heartbeat_timeout_s, ping_interval_s, ack_timeout_s, connect_timeout_s) <= 0:
            raise ValueError("timeouts and the ping interval must be positive")
        self.pairs = tuple(pairs)
        self.url = url
        self.book_depth = book_depth
        self._consumer = consumer
        self._trades = trades
        self._instruments = instruments
        self._heartbeat_timeout_s = heartbeat_timeout_s
        self._ping_interval_s = ping_interval_s
        self._ack_timeout_s = ack_timeout_s
        self._connect_timeout_s = connect_timeout_s
        self._policy = reconnect or ReconnectPolicy()
        self._rng = rng
        self._session = session
        self._max_msg_bytes = max_msg_bytes
        self._req_ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[SubscriptionAck]] = {}
        self._resubscribing: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._drop_reason: str | None = None
        self._attempt = 0
        self._closing = False
        self._closed = asyncio.Event()
        self._run_task: asyncio.Task[None] | None = None
        self._ping_sent: tuple[int, int] | None = None  # (req_id, perf_counter_ns)
        self._stats: Counter[str] = Counter()

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        """Run the client in a background task (see ``run``)."""
        if self._run_task is None:
            self._run_task = asyncio.get_running_loop().create_task(self.run(), name="kraken-ws-public")
        return self._run_task

    async def close(self) -> None:
        """Stop: close the socket, end ``run`` and cancel pending resubscriptions."""
        self._closing = True
        self._closed.set()
        ws = self._ws
        if ws is not None:
            await ws.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._run_task is not None:
            await self._run_task

    @property
    def connected(self) -> bool:
        return self._ws is not None and not self._ws.closed

    def stats(self) -> dict[str, int]:
        keys = (
            "connections",
            "connect_failures",
            "reconnects",
            "heartbeat_timeouts",
            "frames",
            "malformed",
            "consumer_errors",
            "subscribe_errors",
            "resubscribes",
            "resubscribe_failures",
            "pings",
            "pongs",
        )
        out = {k: self._stats[k] for k in keys}
        out["last_pong_rtt_us"] = self._stats["last_pong_rtt_us"]
        return out

    # -- one connection --------------------------------------------------------------------------

    async def _serve_one_connection(self, session: aiohttp.ClientSession) -> str:
        try:
            ws = await asyncio.wait_for(
                session.ws_connect(self.url, autoping=True, heartbeat=None, max_msg_size=self._max_msg_bytes),
                timeout=self._connect_timeout_s,
            )
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            self._stats["connect_failures"] += 1
            return f"connect to {self.url} failed: {exc!r}"
        if self._closing:  # close() ran while the handshake was in flight
            await ws.close()
            return "client closed"
        self._ws = ws
        self._drop_reason = None
        self._stats["connections"] += 1
        logger.info("Kraken WS: connected to %s", self.url)
        pinger = asyncio.get_running_loop().create_task(self._ping_loop(ws))
        try:
            await self._subscribe_all(ws)
            reason = await self._read_loop(ws)
        except (aiohttp.ClientError, ConnectionError) as exc:
            reason = f"connection error: {exc!r}"
        except Exception as exc:  # a bug here must cost a reconnect, not the whole feed
            logger.exception("Kraken WS: unexpected error on the connection")
            reason = f"unexpected error: {exc!r}"
        finally:
            pinger.cancel()
            await asyncio.gather(pinger, return_exceptions=True)
            self._ws = None
            for fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionResetError("connection closed before the ack"))
            self._pending.clear()
            await ws.close()
        if self._closing:
            reason = "client closed"
        self._notify(self._consumer.on_connection_lost, reason)
        return reason

    async def _read_loop(self, ws: aiohttp.ClientWebSocketResponse) -> str:
        while True:
            try:
                frame = await ws.receive(timeout=self._heartbeat_timeout_s)
            except TimeoutError:
                self._stats["heartbeat_timeouts"] += 1
                return f"no message for {self._heartbeat_timeout_s}s (heartbeat timeout)"
            if frame.type is aiohttp.WSMsgType.TEXT or frame.type is aiohttp.WSMsgType.BINARY:
                self._on_frame(frame.data)
            elif frame.type is aiohttp.WSMsgType.ERROR:
                return f"websocket error: {ws.exception()!r}"
            elif frame.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
                return self._drop_reason or f"server closed the connection (code {ws.close_code})"

    def _on_frame(self, data: str | bytes) -> None:
        self._stats["frames"] += 1
        try:
            msg = decode_message(data)
        except MalformedMessage as exc:
            self._stats["malformed"] += 1
            logger.warning("Kraken WS: dropped malformed frame: %s; frame starts %.200r", exc, data)
            self._notify(self._consumer.on_malformed, str(exc))
            return
        if isinstance(msg, BookMessage):
            self._attempt = 0  # data flows: the next outage starts the backoff from the beginning
        elif isinstance(msg, SubscriptionAck):
            self._on_ack(msg)
        elif isinstance(msg, Pong):
            self._on_pong(msg)
        self._notify(self._consumer.on_message, msg)

    def _notify(self, callback: Callable[[Any], None], arg: Any) -> None:
        try:
            callback(arg)
        except Exception:
            self._stats["consumer_errors"] += 1
            logger.exception("Kraken WS: consumer %s raised; message dropped, feed continues", callback)

    def _on_ack(self, ack: SubscriptionAck) -> None:
        if not ack.success:
            self._stats["subscribe_errors"] += 1
            logger.error(
                "Kraken WS: %s %s %s refused: %s",
                ack.method,
                ack.channel or "?",
                ack.symbol or "",
                ack.error,
            )
        fut = self._pending.get(ack.req_id) if ack.req_id is not None else None
        if fut is not None and not fut.done():
            fut.set_result(ack)

    def _on_pong(self, pong: Pong) -> None:
        self._stats["pongs"] += 1
        sent = self._ping_sent
        if sent is not None and sent[0] == pong.req_id:
            self._stats["last_pong_rtt_us"] = (time.perf_counter_ns() - sent[1]) // 1000

    # -- requests ----------------------------------------------------------------------------------

    async def _send(
        self, ws: aiohttp.ClientWebSocketResponse, method: str, params: dict[str, Any] | None
    ) -> int:
        req_id = next(self._req_ids)
        body: dict[str, Any] = {"method": method, "req_id": req_id}
        if params is not None:
            body["params"] = params
        await ws.send_str(msgspec.json.encode(body).decode())
        return req_id

    async def _subscribe_all(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        pairs = list(self.pairs)
        if self._instruments:
            await self._send(ws, "subscribe", {"channel": "instrument", "snapshot": True})
        await self._send(ws, "subscribe", self._book_params(pairs, snapshot=True))
        if self._trades:
            # No trade snapshot: the last 50 trades would repeat ones already seen before a reconnect.
            await self._send(ws, "subscribe", {"channel": "trade", "symbol": pairs, "snapshot": False})

    def _book_params(self, pairs: list[str], *, snapshot: bool | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"channel": "book", "symbol": pairs, "depth": self.book_depth}
        if snapshot is not None:
            params["snapshot"] = snapshot
        return params

    async def _request(
        self, ws: aiohttp.ClientWebSocketResponse, method: str, params: dict[str, Any]
    ) -> SubscriptionAck:
        """Send and wait for the ack with the same req_id."""
        req_id = next(self._req_ids)
        fut: asyncio.Future[SubscriptionAck] = asyncio.get_running_loop().create_future()
        self._pending[req_id] = fut
        try:
            await ws.send_str(
                msgspec.json.encode({"method": method, "params": params, "req_id": req_id}).decode()
            )
            return await asyncio.wait_for(fut, timeout=self._ack_timeout_s)
        finally:
            self._pending.pop(req_id, None)

    async def _ping_loop(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        while not ws.closed:
            await asyncio.sleep(self._ping_interval_s)
            req_id = await self._send(ws, "ping", None)
            self._ping_sent = (req_id, time.perf_counter_ns())
            self._stats["pings"] += 1

    # -- fresh snapshots ------------------------------------------------------------------------------

    def resubscribe_book(self, pair: str) -> None:
        """Ask Kraken for a fresh snapshot of ``pair``'s book; returns at once, works in the background.

        Without a connection there is nothing to do: the next connection subscribes afresh.
        """
        if pair not in self.pairs:
            raise ValueError(f"{pair!r} is not one of this client's pairs {self.pairs}")
        ws = self._ws
        if ws is None or ws.closed or pair in self._resubscribing or self._closing:
            return
        self._resubscribing.add(pair)
        self._stats["resubscribes"] += 1
        task = asyncio.get_running_loop().create_task(self._resubscribe(ws, pair), name=f"resubscribe:{pair}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _resubscribe(self, ws: aiohttp.ClientWebSocketResponse, pair: str) -> None:
        try:
            ack = await self._request(ws, "unsubscribe", self._book_params([pair]))
            if not ack.success:  # e.g. already gone: subscribing is what matters
                logger.warning("Kraken WS: unsubscribe %s book: %s; subscribing anyway", pair, ack.error)
            ack = await self._request(ws, "subscribe", self._book_params([pair], snapshot=True))
            if not ack.success:
                raise _AckFailed(ack.error or "refused")
            logger.info("Kraken WS: resubscribed %s book for a fresh snapshot", pair)
        except (TimeoutError, _AckFailed, ConnectionError, aiohttp.ClientError) as exc:
            self._stats["resubscribe_failures"] += 1
            reason = f"book resubscribe for {pair} failed ({exc!r}); reconnecting for fresh snapshots"
            logger.error("Kraken WS: %s", reason)
            if not ws.closed:
                self._drop_reason = reason
                await ws.close()
        finally:
            self._resubscribing.discard(pair)

"""Kraken WebSocket v2 private client: our own orders' ``executions`` and the account's ``balances``.

Why a separate client from ``ws_public``: the private socket is authenticated per connection and
carries money-moving facts, so it must never deliver a fill twice and must tell its consumer
whenever it may have missed something. It

- asks ``GetWebSocketsToken`` for a **fresh token on every connection** (a token authenticates one
  connection and expires 15 minutes after issue);
- subscribes ``executions`` with ``snap_orders`` and ``snap_trades`` (the snapshot lists the open
  orders and the last 50 fills, so fills made while we were disconnected are replayed) and
  ``order_status`` (every transition), then ``balances`` with its snapshot;
- drops a ``trade`` report whose ``exec_id`` it has delivered before (a snapshot repeats recent
  fills), keeping the last ``remember_fills`` ids;
- is *ready* once the executions snapshot arrived; a subscription Kraken refuses, or no snapshot
  within ``ack_timeout_s``, costs the connection (the next one gets a new token);
- sends ``ping`` every ``ping_interval_s`` and reconnects after ``heartbeat_timeout_s`` of
  silence, with the backoff of ``ws_public.ReconnectPolicy``; the consumer hears
  ``on_connection_lost`` (not on ``close()``), so it knows a snapshot will follow;
- reports failures of the token request or a malformed frame through ``on_error`` (the HALT
  coordinator's ``record_api_error``): they are API errors.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
from collections import Counter, OrderedDict
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

import aiohttp
import msgspec

from galfriday.kraken.orders_wire import ExecutionsMessage, decode_executions
from galfriday.kraken.rest_private import WebSocketToken
from galfriday.kraken.rest_public import KrakenError
from galfriday.kraken.ws_public import ReconnectPolicy
from galfriday.kraken.ws_reconnect import ReconnectingWsClient
from galfriday.kraken.ws_schemas import MalformedMessage, OtherMessage, SubscriptionAck, decode_message

logger = logging.getLogger(__name__)

DEFAULT_URL = "wss://ws-auth.kraken.com/v2"


class TokenSource(Protocol):
    """Where tokens come from: ``KrakenPrivateClient.get_websockets_token``."""

    async def get_websockets_token(self) -> WebSocketToken: ...


class ExecutionsConsumer(Protocol):
    """What the client hands reports to (the ``KrakenVenue``). Called on the loop; must not block."""

    def on_executions(self, message: ExecutionsMessage) -> None: ...

    def on_connection_lost(self, reason: str) -> None: ...


class _Balance(msgspec.Struct):
    asset: str
    balance: Decimal


class _BalancesFrame(msgspec.Struct):
    channel: str
    type: str
    data: list[_Balance]


_balances = msgspec.json.Decoder(_BalancesFrame)


class KrakenPrivateWsClient(ReconnectingWsClient):
    """One private connection at a time, re-established until ``close()``."""

    LABEL = "Kraken private WS"
    RECONNECT_NOTE = " with a new token"

    def __init__(
        self,
        tokens: TokenSource,
        consumer: ExecutionsConsumer,
        *,
        url: str = DEFAULT_URL,
        heartbeat_timeout_s: float = 15.0,
        ping_interval_s: float = 10.0,
        ack_timeout_s: float = 10.0,
        connect_timeout_s: float = 10.0,
        reconnect: ReconnectPolicy | None = None,
        on_error: Callable[[str], None] | None = None,
        remember_fills: int = 10_000,
        rng: Callable[[], float] = random.random,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        if min(heartbeat_timeout_s, ping_interval_s, ack_timeout_s, connect_timeout_s) <= 0:
            raise ValueError("timeouts and the ping interval must be positive")
        if remember_fills < 50:
            raise ValueError("remember_fills must cover at least a snapshot's 50 fills")
        self.url = url
        self._tokens = tokens
        self._consumer = consumer
        self._heartbeat_timeout_s = heartbeat_timeout_s
        self._ping_interval_s = ping_interval_s
        self._ack_timeout_s = ack_timeout_s
        self._connect_timeout_s = connect_timeout_s
        self._policy = reconnect or ReconnectPolicy()
        self._on_error = on_error or (lambda detail: None)
        self._remember = remember_fills
        self._rng = rng
        self._session = session
        self._req_ids = itertools.count(1)
        self._seen_fills: OrderedDict[str, None] = OrderedDict()
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._drop_reason: str | None = None
        self._ready = asyncio.Event()
        self._closing = False
        self._closed = asyncio.Event()
        self._attempt = 0
        self._run_task: asyncio.Task[None] | None = None
        self._drops: set[asyncio.Task[None]] = set()
        self._stats: Counter[str] = Counter()
        self.balances: dict[str, Decimal] = {}  # latest total per asset (WS v2 codes: USD, XRP, DOGE)

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        if self._run_task is None:
            self._run_task = asyncio.get_running_loop().create_task(self.run(), name="kraken-ws-private")
        return self._run_task

    async def wait_ready(self, timeout_s: float) -> None:
        """Until the executions snapshot of the current connection arrived (``TimeoutError`` after)."""
        await asyncio.wait_for(self._ready.wait(), timeout_s)

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    async def close(self) -> None:
        self._closing = True
        self._closed.set()
        ws = self._ws
        if ws is not None:
            await ws.close()
        if self._run_task is not None:
            await self._run_task

    def stats(self) -> dict[str, int]:
        keys = (
            "connections",
            "connect_failures",
            "token_failures",
            "reconnects",
            "heartbeat_timeouts",
            "frames",
            "malformed",
            "consumer_errors",
            "subscribe_errors",
            "snapshots",
            "duplicate_fills",
        )
        return {k: self._stats[k] for k in keys}

    # -- one connection ----------------------------------------------------------------------------

    async def _serve_one_connection(self, session: aiohttp.ClientSession) -> str:
        try:
            token = await self._tokens.get_websockets_token()
        except (KrakenError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            self._stats["token_failures"] += 1
            self._on_error(f"GetWebSocketsToken failed: {exc}")
            return f"no WebSocket token ({exc})"
        try:
            ws = await asyncio.wait_for(
                session.ws_connect(self.url, autoping=True, heartbeat=None), timeout=self._connect_timeout_s
            )
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            self._stats["connect_failures"] += 1
            return f"connect to {self.url} failed: {exc!r}"
        if self._closing:
            await ws.close()
            return "client closed"
        self._ws = ws
        self._drop_reason = None
        self._stats["connections"] += 1
        loop = asyncio.get_running_loop()
        helpers = [loop.create_task(self._ping_loop(ws)), loop.create_task(self._ready_watchdog(ws))]
        try:
            await self._subscribe(ws, token)
            reason = await self._read_loop(ws)
        except (aiohttp.ClientError, ConnectionError) as exc:
            reason = f"connection error: {exc!r}"
        except Exception as exc:  # a bug here must cost a reconnect, not the order stream
            logger.exception("Kraken private WS: unexpected error on the connection")
            reason = f"unexpected error: {exc!r}"
        finally:
            for task in helpers:
                task.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)
            self._ws = None
            self._ready.clear()
            await ws.close()
        if self._closing:
            return "client closed"
        self._notify(self._consumer.on_connection_lost, reason)
        return reason

    async def _subscribe(self, ws: aiohttp.ClientWebSocketResponse, token: WebSocketToken) -> None:
        executions = {
            "channel": "executions",
            "token": token.token,
            "snap_orders": True,
            "snap_trades": True,
            "order_status": True,
        }
        await self._send(ws, "subscribe", executions)
        await self._send(ws, "subscribe", {"channel": "balances", "token": token.token, "snapshot": True})

    async def _send(
        self, ws: aiohttp.ClientWebSocketResponse, method: str, params: dict[str, Any] | None
    ) -> None:
        body: dict[str, Any] = {"method": method, "req_id": next(self._req_ids)}
        if params is not None:
            body["params"] = params
        await ws.send_str(msgspec.json.encode(body).decode())

    async def _ping_loop(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        while not ws.closed:
            await asyncio.sleep(self._ping_interval_s)
            await self._send(ws, "ping", None)

    async def _ready_watchdog(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        try:
            await asyncio.wait_for(self._ready.wait(), self._ack_timeout_s)
        except TimeoutError:
            await self._drop(ws, f"no executions snapshot within {self._ack_timeout_s}s")

    async def _drop(self, ws: aiohttp.ClientWebSocketResponse, reason: str) -> None:
        if self._drop_reason is None:
            self._drop_reason = reason
        await ws.close()

    async def _read_loop(self, ws: aiohttp.ClientWebSocketResponse) -> str:
        while True:
            try:
                frame = await ws.receive(timeout=self._heartbeat_timeout_s)
            except TimeoutError:
                self._stats["heartbeat_timeouts"] += 1
                return f"no message for {self._heartbeat_timeout_s}s (heartbeat timeout)"
            if frame.type is aiohttp.WSMsgType.TEXT or frame.type is aiohttp.WSMsgType.BINARY:
                self._on_frame(ws, frame.data)
            elif frame.type is aiohttp.WSMsgType.ERROR:
                return f"websocket error: {ws.exception()!r}"
            elif frame.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
                return self._drop_reason or f"server closed the connection (code {ws.close_code})"

    # -- frames ------------------------------------------------------------------------------------

    def _on_frame(self, ws: aiohttp.ClientWebSocketResponse, data: str | bytes) -> None:
        self._stats["frames"] += 1
        try:
            msg = decode_message(data)
            if isinstance(msg, SubscriptionAck):
                self._on_ack(ws, msg)
            elif isinstance(msg, OtherMessage) and msg.kind == "channel:executions":
                self._on_executions(decode_executions(data))
            elif isinstance(msg, OtherMessage) and msg.kind == "channel:balances":
                self._on_balances(data)
        except (MalformedMessage, msgspec.DecodeError) as exc:
            self._stats["malformed"] += 1
            logger.error("Kraken private WS: malformed frame dropped: %s; frame starts %.200r", exc, data)
            self._on_error(f"malformed private WS frame: {exc}")

    def _on_ack(self, ws: aiohttp.ClientWebSocketResponse, ack: SubscriptionAck) -> None:
        if ack.success:
            return
        self._stats["subscribe_errors"] += 1
        reason = f"subscribe {ack.channel or '?'} refused: {ack.error}"
        logger.error("Kraken private WS: %s", reason)
        task = asyncio.get_running_loop().create_task(self._drop(ws, reason))
        self._drops.add(task)
        task.add_done_callback(self._drops.discard)

    def _on_executions(self, message: ExecutionsMessage) -> None:
        fresh = tuple(r for r in message.reports if not self._repeated_fill(r.exec_type, r.exec_id))
        if message.is_snapshot:
            self._stats["snapshots"] += 1
            self._attempt = 0  # the stream works: the next outage starts the backoff afresh
        if fresh or message.is_snapshot:
            self._notify(self._consumer.on_executions, msgspec.structs.replace(message, reports=fresh))
        if message.is_snapshot:
            self._ready.set()

    def _repeated_fill(self, exec_type: str, exec_id: str | None) -> bool:
        if exec_type != "trade" or exec_id is None:
            return False
        if exec_id in self._seen_fills:
            self._stats["duplicate_fills"] += 1
            return True
        self._seen_fills[exec_id] = None
        if len(self._seen_fills) > self._remember:
            self._seen_fills.popitem(last=False)
        return False

    def _on_balances(self, data: str | bytes) -> None:
        frame = _balances.decode(data)
        for entry in frame.data:
            self.balances[entry.asset] = entry.balance

    def _notify(self, callback: Callable[[Any], None], arg: Any) -> None:
        try:
            callback(arg)
        except Exception:
            self._stats["consumer_errors"] += 1
            logger.exception("Kraken private WS: consumer %s raised; the stream continues", callback)

"""Latest session state for dashboards: Redis keys and a pub/sub channel, or an in-process fallback.

DESIGN §4: Redis holds the latest state for the dashboard and fans updates out to API replicas;
it is optional. When ``redis.url`` is set, every state change, position change, closed trade,
HALT and portfolio snapshot is written as (``redis.key_prefix`` + name)

- ``status``: the JSON the control API's ``/api/status`` serves (state, HALT, equity, P&L, …);
- ``portfolio``: the latest ``PortfolioSnapshotTaken`` (``core.events`` JSON, Decimals as strings);
- ``positions``: a hash, pair → its latest ``PositionChanged``;

and announced on the channel ``updates`` as ``{"type": <event>, "event": ..., "status": ...}``.
Without a URL the same values are kept in process (``MemoryLatestState``).

The publisher is an async bus subscriber on its own queue (newest kept when it overflows): Redis
being slow or down delays only this queue, never the trading path, and a failed write is logged
(at most once a minute) and retried with the next update.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from galfriday.core.bus import Overflow
from galfriday.core.events import (
    Event,
    HaltResumed,
    HaltTriggered,
    PortfolioSnapshotTaken,
    PositionChanged,
    SystemStateChanged,
    TradeClosed,
    encode_event,
)

logger = logging.getLogger(__name__)

PUBLISHED = (
    SystemStateChanged,
    PortfolioSnapshotTaken,
    PositionChanged,
    TradeClosed,
    HaltTriggered,
    HaltResumed,
)
QUEUE_SIZE = 1024
ERROR_LOG_INTERVAL_S = 60.0


class LatestState(Protocol):
    async def write(self, keys: Mapping[str, bytes], positions: Mapping[str, bytes], message: bytes) -> None:
        """Set ``keys``, update the ``positions`` hash fields, announce ``message``."""
        ...

    async def close(self) -> None: ...


class MemoryLatestState:
    """The in-process fallback: the latest values, readable with ``get``/``positions``."""

    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}
        self.positions: dict[str, bytes] = {}
        self.last_message: bytes | None = None

    async def write(self, keys: Mapping[str, bytes], positions: Mapping[str, bytes], message: bytes) -> None:
        self.values.update(keys)
        self.positions.update(positions)
        self.last_message = message

    async def close(self) -> None:
        return None


class RedisLatestState:
    """Keys ``<prefix>status``/``portfolio``/``positions`` and channel ``<prefix>updates``."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis.asyncio as redis  # optional dependency: only a configured URL needs it

        self._client = redis.from_url(url)
        self.prefix = prefix
        self.channel = f"{prefix}updates"

    async def ping(self) -> str | None:
        """None when Redis answers, else why not."""
        try:
            await self._client.ping()
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        return None

    async def write(self, keys: Mapping[str, bytes], positions: Mapping[str, bytes], message: bytes) -> None:
        pipe = self._client.pipeline(transaction=True)
        for name, value in keys.items():
            pipe.set(f"{self.prefix}{name}", value)
        if positions:
            pipe.hset(f"{self.prefix}positions", mapping=dict(positions))
        pipe.publish(self.channel, message)
        await pipe.execute()

    async def close(self) -> None:
        await self._client.aclose()


class LatestStatePublisher:
    """Bus events → ``LatestState``; ``status`` gives the JSON of ``/api/status`` at this moment."""

    def __init__(self, store: LatestState, status: Callable[[], dict[str, Any]]) -> None:
        self.store = store
        self._status = status
        self._last_error_log = -float("inf")
        self.written = 0
        self.failed = 0

    def attach(self, bus: Any) -> None:
        for event_type in PUBLISHED:
            bus.subscribe(
                event_type,
                self.on_event,
                name=f"latest-state.{event_type.__name__}",
                group="latest-state",
                maxsize=QUEUE_SIZE,
                overflow=Overflow.DROP_OLDEST,
            )

    async def on_event(self, event: Event) -> None:
        status = self._status()
        encoded = encode_event(event)
        keys = {"status": json.dumps(status).encode()}
        positions: dict[str, bytes] = {}
        if isinstance(event, PortfolioSnapshotTaken):
            keys["portfolio"] = encoded
        elif isinstance(event, PositionChanged):
            positions[event.pair] = encoded
        message = json.dumps({"type": type(event).__name__, "event": json.loads(encoded), "status": status})
        try:
            await self.store.write(keys, positions, message.encode())
        except Exception as exc:
            self.failed += 1
            now = time.monotonic()
            if now - self._last_error_log >= ERROR_LOG_INTERVAL_S:
                self._last_error_log = now
                logger.warning(
                    "latest state not published (%d failure(s) so far): %s: %s; the "
                    "dashboard's Redis copy is stale until it answers",
                    self.failed,
                    type(exc).__name__,
                    exc,
                )
            return
        self.written += 1


async def open_latest_state(url: str | None, prefix: str) -> LatestState:
    """Redis when ``url`` is set (checked, but never fatal: trading does not need it), else memory."""
    if url is None:
        logger.info("redis.url not set: the latest session state is kept in process only")
        return MemoryLatestState()
    store = RedisLatestState(url, prefix)
    problem = await store.ping()
    if problem is None:
        logger.info("latest session state published to Redis (keys %s*, channel %s)", prefix, store.channel)
    else:
        logger.warning(
            "Redis does not answer (%s): trading goes on, the dashboard state is published "
            "once it does; check redis.url",
            problem,
        )
    return store

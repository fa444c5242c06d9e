"""The latest-state publisher against the real Redis (DB 15): keys for the dashboard, and every
update announced on the pub/sub channel that API replicas subscribe to."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
import redis.asyncio as redis

from galfriday.app.runtime.redis_state import LatestStatePublisher, RedisLatestState, open_latest_state
from galfriday.core.bus import AsyncBus
from galfriday.core.events import PortfolioSnapshotTaken, PositionChanged, SystemStateChanged
from galfriday.core.types import SystemState
from tests.integration.app.paper_kit import free_port, wait_for

pytestmark = pytest.mark.redis
COMMON = {"ts_event": 1, "ts_init": 1}


@pytest.fixture
async def prefix(redis_url: str) -> AsyncIterator[str]:
    name = f"galfriday-test-{uuid.uuid4().hex[:8]}:"
    yield name
    client = redis.from_url(redis_url)
    keys = [key async for key in client.scan_iter(f"{name}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_updates_reach_the_keys_and_the_channel(redis_url: str, prefix: str) -> None:
    store = await open_latest_state(redis_url, prefix)
    assert isinstance(store, RedisLatestState)
    status: dict[str, Any] = {"mode": "paper", "system_state": "RUNNING"}
    bus = AsyncBus()
    LatestStatePublisher(store, lambda: status).attach(bus)
    reader = redis.from_url(redis_url)
    pubsub = reader.pubsub()
    await pubsub.subscribe(f"{prefix}updates")
    await bus.start()
    try:
        bus.publish(SystemStateChanged(**COMMON, previous=SystemState.STARTING, current=SystemState.RUNNING))
        bus.publish(
            PositionChanged(
                **COMMON,
                pair="DOGE/USD",
                qty=Decimal(50),
                avg_price=Decimal("0.12"),
                realized_pnl=Decimal(0),
                unrealized_pnl=Decimal("0.01"),
            )
        )
        bus.publish(
            PortfolioSnapshotTaken(
                **COMMON,
                equity=Decimal("10000.5"),
                cash=Decimal(9994),
                available_balance=Decimal(9994),
                exposure_pct=0.0006,
                daily_drawdown_pct=0,
                weekly_drawdown_pct=0,
                total_drawdown_pct=0,
            )
        )
        messages: list[dict[str, Any]] = []

        async def receive() -> None:
            async for message in pubsub.listen():
                if message["type"] == "message":
                    messages.append(json.loads(message["data"]))

        listening = asyncio.create_task(receive())
        await wait_for(lambda: len(messages) == 3, 10, "three announcements")
        listening.cancel()
        assert [m["type"] for m in messages] == [
            "SystemStateChanged",
            "PositionChanged",
            "PortfolioSnapshotTaken",
        ]
        assert json.loads(await reader.get(f"{prefix}status")) == status
        assert json.loads(await reader.get(f"{prefix}portfolio"))["equity"] == "10000.5"
        position = json.loads(await reader.hget(f"{prefix}positions", "DOGE/USD"))
        assert position["qty"] == "50" and position["type"] == "PositionChanged"
    finally:
        await bus.stop()
        await pubsub.aclose()
        await reader.aclose()
        await store.close()


async def test_an_unreachable_redis_does_not_stop_trading(prefix: str) -> None:
    store = await open_latest_state(f"redis://127.0.0.1:{free_port()}/15", prefix)
    publisher = LatestStatePublisher(store, lambda: {"system_state": "RUNNING"})
    await publisher.on_event(
        SystemStateChanged(**COMMON, previous=SystemState.STARTING, current=SystemState.RUNNING)
    )
    assert publisher.failed == 1
    await store.close()

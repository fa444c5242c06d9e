"""The latest-state publisher: status, portfolio and positions, and an announcement per update;
a store that fails costs a log line, never the handler."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal

from galfriday.app.runtime.redis_state import LatestStatePublisher, MemoryLatestState
from galfriday.core.events import PortfolioSnapshotTaken, PositionChanged, SystemStateChanged
from galfriday.core.types import SystemState

COMMON = {"ts_event": 1, "ts_init": 1}


def _status() -> dict[str, object]:
    return {"mode": "paper", "system_state": "RUNNING"}


async def test_updates_land_in_the_keys_and_are_announced() -> None:
    store = MemoryLatestState()
    publisher = LatestStatePublisher(store, _status)
    await publisher.on_event(
        SystemStateChanged(**COMMON, previous=SystemState.STARTING, current=SystemState.RUNNING)
    )
    await publisher.on_event(
        PositionChanged(
            **COMMON,
            pair="XRP/USD",
            qty=Decimal(5),
            avg_price=Decimal("0.5"),
            realized_pnl=Decimal(0),
            unrealized_pnl=Decimal("0.1"),
        )
    )
    snapshot = PortfolioSnapshotTaken(
        **COMMON,
        equity=Decimal(100),
        cash=Decimal(90),
        available_balance=Decimal(90),
        exposure_pct=0.1,
        daily_drawdown_pct=0,
        weekly_drawdown_pct=0,
        total_drawdown_pct=0,
    )
    await publisher.on_event(snapshot)
    assert json.loads(store.values["status"]) == _status()
    assert json.loads(store.values["portfolio"])["equity"] == "100"
    assert json.loads(store.positions["XRP/USD"])["qty"] == "5"
    assert store.last_message is not None
    message = json.loads(store.last_message)
    assert message["type"] == "PortfolioSnapshotTaken" and message["status"] == _status()
    assert publisher.written == 3 and publisher.failed == 0


class _Down:
    async def write(self, keys: Mapping[str, bytes], positions: Mapping[str, bytes], message: bytes) -> None:
        raise ConnectionError("redis is down")

    async def close(self) -> None:
        return None


async def test_a_failing_store_is_counted_and_logged_not_raised(caplog) -> None:  # type: ignore[no-untyped-def]
    publisher = LatestStatePublisher(_Down(), _status)
    event = SystemStateChanged(**COMMON, previous=SystemState.RUNNING, current=SystemState.STOPPING)
    await publisher.on_event(event)
    await publisher.on_event(event)
    assert publisher.failed == 2 and publisher.written == 0
    assert sum("latest state not published" in r.getMessage() for r in caplog.records) == 1

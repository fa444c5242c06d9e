"""Snapshot and trade persistence on SQLite, and a restart rebuilt from the latest snapshot + fills."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from galfriday.config.sections.risk import PortfolioSettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.types import ExitReason, Side
from galfriday.portfolio.manager import PortfolioManager
from galfriday.portfolio.order_tags import OrderTag
from galfriday.storage.db.database import Database, open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.storage.db.repositories import PortfolioSnapshotRepository, TradeRepository
from galfriday.storage.recorders.portfolio_snapshots import PortfolioSnapshotRecorder, state_from_snapshot
from galfriday.storage.recorders.trades import TradeRecorder
from galfriday.storage.timeseries.point import Point
from tests.unit.portfolio._kit import INSTRUMENTS, MINUTE, T0, D, book, fill


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[Database]:
    await upgrade(sqlite_url)
    database = await open_database(sqlite_url)
    yield database
    await database.close()


def trading(clock: SimClock) -> tuple[SyncBus, PortfolioManager]:
    bus = SyncBus()
    manager = PortfolioManager(
        PortfolioSettings(initial_cash=D(10000), snapshot_interval_s=60), INSTRUMENTS, clock, bus.publish
    )
    manager.attach(bus)
    return bus, manager


async def test_snapshots_go_to_the_table_and_the_metrics_measurement(database: Database) -> None:
    clock = SimClock(T0)
    bus, manager = trading(clock)
    points: list[Point] = []
    recorder = PortfolioSnapshotRecorder(
        PortfolioSnapshotRepository(database.sessions),
        submit_point=lambda p: points.append(p) is None,
        account_id="acct-1",
    )
    recorder.attach(bus)
    manager.start()
    bus.publish(fill("XRP/USD", Side.BUY, "1000", "0.50000", fee="1.3"))
    bus.publish(book("XRP/USD", "0.48999", "0.49001"))
    clock.advance_to(T0 + MINUTE)
    await recorder.queue.flush()

    stored = await PortfolioSnapshotRepository(database.sessions).latest()
    assert stored is not None
    assert (stored.total_equity, stored.available_balance) == (D("9988.7"), D("9498.7"))
    assert stored.total_drawdown_pct == pytest.approx(11.3 / 10000)
    (position,) = stored.positions
    assert position.pop("pair") == "XRP/USD"
    assert {k: Decimal(v) for k, v in position.items()} == {
        "qty": 1000,
        "entry_price": D("0.5"),
        "market_price": D("0.49"),
        "market_value": 490,
        "unrealized_pnl": -10,
    }
    (point,) = points
    assert point.measurement == "portfolio_metrics" and point.tags == {"account_id": "acct-1"}
    assert point.fields["total_equity"] == pytest.approx(9988.7)
    assert point.fields["position_qty_XRP/USD"] == 1000.0
    assert point.ts_ns == T0 + MINUTE


async def test_restart_from_the_latest_snapshot_plus_later_fills(database: Database) -> None:
    clock = SimClock(T0)
    bus, manager = trading(clock)
    recorder = PortfolioSnapshotRecorder(PortfolioSnapshotRepository(database.sessions))
    recorder.attach(bus)
    manager.start()
    bus.publish(fill("XRP/USD", Side.BUY, "1000", "0.50000"))
    bus.publish(book("XRP/USD", "0.50999", "0.51001"))
    clock.advance_to(T0 + MINUTE)
    await recorder.queue.flush()
    later = fill("XRP/USD", Side.SELL, "400", "0.52000", fee="0.5408", ts=T0 + 2 * MINUTE)
    bus.publish(later)  # after the snapshot: the process then dies

    snapshot = await PortfolioSnapshotRepository(database.sessions).latest()
    assert snapshot is not None
    restored = PortfolioManager.from_state(
        state_from_snapshot(snapshot, "USD"), PortfolioSettings(), INSTRUMENTS, clock, SyncBus().publish
    )
    restored.replay([later])

    assert restored.position_qty("XRP/USD") == manager.position_qty("XRP/USD") == D(600)
    assert restored.ledger.quote_cash == manager.ledger.quote_cash
    assert restored.equity() == manager.equity()
    assert restored.drawdowns() == manager.drawdowns()


async def test_closed_trades_are_recorded(database: Database) -> None:
    bus, manager = trading(SimClock(T0))
    trades = TradeRecorder(TradeRepository(database.sessions))
    trades.attach(bus)
    manager.order_tags.register("x", OrderTag.exit(ExitReason.TIME_EXIT))
    bus.publish(fill("XRP/USD", Side.BUY, "1000", "0.50000", fee="1.3"))
    bus.publish(
        fill("XRP/USD", Side.SELL, "1000", "0.49000", fee="1.274", client_order_id="x", ts=T0 + MINUTE)
    )
    await trades.queue.flush()
    (trade,) = await TradeRepository(database.sessions).list_closed()
    assert (trade.exit_reason, trade.total_commission) == (ExitReason.TIME_EXIT, D("2.574"))
    assert trade.realized_pnl == D(-10) - D("2.574")
    assert trade.signal_id is None and trade.strategy_id == "manual"
    assert trade.quantity == Decimal(1000)

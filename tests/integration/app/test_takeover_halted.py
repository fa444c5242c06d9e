"""A session that comes back HALTED (behaviour ``close``) closes the position the last run left.

Found while building the crash campaign: the restored HALT published its ClosePosition while the
session was still starting, before the execution handler existed — and the handler would not have
known the position anyway. The position stayed open, unwatched, under a HALT that promised to
flatten it. Paper session on the simulator's market; the position comes from the last snapshot.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa

from galfriday.core.types import HaltBehaviour, OrderType, Side
from galfriday.storage.db.database import open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.storage.db.models import OrderRow
from galfriday.storage.db.records import NewPortfolioSnapshot
from galfriday.storage.db.records_halt import HaltEntry
from galfriday.storage.db.repositories import PortfolioSnapshotRepository
from galfriday.storage.db.repositories.halts import HaltRepository
from galfriday.strategy.sources import RsiRule
from tests.integration.app.conftest import StartSession
from tests.integration.app.paper_kit import wait_for

HELD = Decimal(1000)
QUIET = RsiRule(period=14, enter_below=1, exit_above=99)


async def _left_by_the_last_run(sqlite_url: str) -> None:
    """A snapshot holding XRP, and a HALT nobody resumed."""
    await upgrade(sqlite_url)
    database = await open_database(sqlite_url)
    now = datetime.now(UTC)
    try:
        await PortfolioSnapshotRepository(database.sessions).insert(
            NewPortfolioSnapshot(
                snapshot_timestamp=now,
                total_equity=Decimal(10_000),
                available_balance=Decimal(9_480),
                total_exposure_pct=0.052,
                daily_drawdown_pct=0.0,
                weekly_drawdown_pct=0.0,
                total_drawdown_pct=0.0,
                positions=[
                    {
                        "pair": "XRP/USD",
                        "qty": str(HELD),
                        "entry_price": "0.52000",
                        "market_price": "0.52000",
                        "market_value": "520.00000",
                        "unrealized_pnl": "0",
                    }
                ],
            )
        )
        await HaltRepository(database.sessions).save(
            HaltEntry(
                halt_id=uuid.uuid4(),
                trigger="manual",
                reason="operator test",
                behaviour=HaltBehaviour.CLOSE,
                triggered_at=now,
                later_triggers=[],
                checklist={},
            )
        )
    finally:
        await database.close()


async def test_a_restored_close_halt_flattens_the_position_the_last_run_left(
    start_session: StartSession, sqlite_url: str
) -> None:
    await _left_by_the_last_run(sqlite_url)
    running = await start_session(rule=QUIET)
    session = running.session
    assert session.halt is not None and session.halt.is_halted and session.portfolio is not None
    assert session.execution is not None and session.execution.halted
    portfolio = session.portfolio
    await wait_for(lambda: portfolio.open_positions() == {}, 30, "the HALT to flatten XRP/USD")
    assert await running.stop() == 0
    database = await open_database(sqlite_url)
    try:
        async with database.sessions() as db:
            rows = (await db.execute(sa.select(OrderRow))).scalars().all()
    finally:
        await database.close()
    exits = [(r.side, r.quantity_ordered, r.status) for r in rows if r.order_type == OrderType.MARKET]
    assert exits == [(Side.SELL, HELD, "FILLED")]
    assert all(r.status in ("FILLED", "CANCELED") for r in rows)  # a take-profit leg, canceled to close

"""The HALT journal on SQLite: a restart finds the unresolved HALT and comes back HALTED."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from galfriday.config.sections.risk import RiskSettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.risk.halt import HaltCoordinator
from galfriday.risk.halt_record import CHECKLIST_ITEMS
from galfriday.storage.db.database import Database, open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.storage.db.repositories import HaltRepository
from galfriday.storage.recorders.halts import HaltJournal
from tests.unit.portfolio._kit import SECOND, T0
from tests.unit.risk._fakes import FakePortfolio


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[Database]:
    await upgrade(sqlite_url)
    database = await open_database(sqlite_url)
    yield database
    await database.close()


def coordinator(journal: HaltJournal, clock: SimClock) -> HaltCoordinator:
    return HaltCoordinator(RiskSettings(), clock, SyncBus().publish, FakePortfolio(), journal=journal)


async def test_the_journal_round_trips_and_a_restart_comes_back_halted(database: Database) -> None:
    clock = SimClock(T0)
    journal = HaltJournal(HaltRepository(database.sessions))
    halt = coordinator(journal, clock)
    halt.fire("daily_drawdown", "daily drawdown 2.30%")
    clock.advance_to(T0 + SECOND)
    halt.fire("api_errors", "5 API errors within 60s")
    halt.complete_checklist_item("reason_reviewed", by="alice", note="news spike")
    await journal.queue.flush()

    after_restart = HaltJournal(HaltRepository(database.sessions))
    record = await after_restart.load_unresolved()
    assert record == halt.current
    restored = coordinator(after_restart, SimClock(T0 + 60 * SECOND))
    restored.restore(record)  # type: ignore[arg-type]
    assert restored.is_halted

    for item in CHECKLIST_ITEMS[1:]:
        restored.complete_checklist_item(item, by="bob")
    restored.resume("bob")
    await after_restart.queue.flush()
    assert await after_restart.load_unresolved() is None
    (stored,) = await HaltRepository(database.sessions).list_recent()
    assert stored.resumed_by == "bob" and stored.checklist["reason_reviewed"]["by"] == "alice"
    assert [t["trigger"] for t in stored.later_triggers] == ["api_errors"]

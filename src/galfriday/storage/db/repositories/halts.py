"""HALT journal: save the latest state of a HALT, and find the one a restart must honour."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa

from galfriday.storage.db.models_halt import HaltRow
from galfriday.storage.db.records_halt import HaltEntry
from galfriday.storage.db.repositories.base import Repository, dialect_insert, row_values, to_record

_MUTABLE = ("trigger", "reason", "behaviour", "later_triggers", "checklist", "resumed_at", "resumed_by")


class HaltRepository(Repository):
    async def save(self, entry: HaltEntry) -> HaltEntry:
        """Insert or replace the HALT with ``entry.halt_id`` (idempotent: saving twice is harmless).

        The coordinator journals the whole record after every change, so the latest save is the
        truth; ``triggered_at`` never changes once written.
        """
        async with self._transaction(f"saving halt {entry.halt_id}") as session:
            insert = dialect_insert(session, HaltRow).values(row_values(entry))
            upsert = insert.on_conflict_do_update(
                index_elements=["halt_id"], set_={name: insert.excluded[name] for name in _MUTABLE}
            ).returning(HaltRow)
            row = (await session.execute(upsert)).scalar_one()
            return to_record(HaltEntry, row)

    async def get(self, halt_id: UUID) -> HaltEntry | None:
        async with self._transaction(f"reading halt {halt_id}") as session:
            row = await session.get(HaltRow, halt_id)
            return None if row is None else to_record(HaltEntry, row)

    async def latest_unresolved(self) -> HaltEntry | None:
        """The most recent HALT nobody resumed: a restart must start HALTED when there is one."""
        statement = (
            sa.select(HaltRow)
            .where(HaltRow.resumed_at.is_(None))
            .order_by(HaltRow.triggered_at.desc())
            .limit(1)
        )
        async with self._transaction("reading the unresolved halt") as session:
            row = await session.scalar(statement)
            return None if row is None else to_record(HaltEntry, row)

    async def list_recent(self, limit: int = 50) -> list[HaltEntry]:
        """HALTs newest first, for the dashboard and post-mortems."""
        statement = sa.select(HaltRow).order_by(HaltRow.triggered_at.desc()).limit(limit)
        async with self._transaction("listing halts") as session:
            return [to_record(HaltEntry, row) for row in await session.scalars(statement)]

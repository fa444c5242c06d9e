"""Reconciliation journal: open a run, record what it found, close it, and read it back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa

from galfriday.core.errors import StorageError
from galfriday.storage.db.models_reconciliation import ReconciliationEventRow, ReconciliationRunRow
from galfriday.storage.db.records_reconciliation import (
    DiscrepancyRecord,
    NewDiscrepancy,
    ReconciliationRun,
    RunStatus,
)
from galfriday.storage.db.repositories.base import Repository, row_values, to_record

Run = ReconciliationRunRow
Event = ReconciliationEventRow


class ReconciliationRepository(Repository):
    async def start_run(self, run: ReconciliationRun) -> None:
        """Record that a run began (status ``running``) before it changes anything."""
        async with self._transaction(f"recording reconciliation run {run.run_id}") as session:
            await session.execute(sa.insert(Run).values(row_values(run)))

    async def record(self, discrepancies: Sequence[NewDiscrepancy]) -> list[DiscrepancyRecord]:
        """Store what a run found, in one transaction, in the order given."""
        if not discrepancies:
            return []
        async with self._transaction(f"recording {len(discrepancies)} reconciliation events") as session:
            rows = [Event(**row_values(d)) for d in discrepancies]
            session.add_all(rows)
            await session.flush()
            return [to_record(DiscrepancyRecord, row) for row in rows]

    async def finish_run(
        self,
        run_id: UUID,
        *,
        status: RunStatus,
        finished_at: datetime,
        counts: dict[str, int],
        unresolved: int,
        error: str | None = None,
    ) -> ReconciliationRun:
        if status is RunStatus.RUNNING:
            raise ValueError("a finished run is ok, mismatch or failed, not running")
        statement = (
            sa.update(Run)
            .where(Run.run_id == run_id)
            .values(status=status, finished_at=finished_at, counts=counts, unresolved=unresolved, error=error)
            .returning(Run)
        )
        async with self._transaction(f"finishing reconciliation run {run_id}") as session:
            row = await session.scalar(statement)
            if row is None:
                raise StorageError(f"cannot finish reconciliation run {run_id}: it was never started")
            return to_record(ReconciliationRun, row)

    async def last_run(self, *, status: RunStatus | None = None) -> ReconciliationRun | None:
        """The most recently started run (with ``status``, when given)."""
        statement = sa.select(Run).order_by(Run.started_at.desc()).limit(1)
        if status is not None:
            statement = statement.where(Run.status == status)
        async with self._transaction("reading the last reconciliation run") as session:
            row = await session.scalar(statement)
            return None if row is None else to_record(ReconciliationRun, row)

    async def events(self, run_id: UUID) -> list[DiscrepancyRecord]:
        """What one run found, in the order it was recorded."""
        statement = sa.select(Event).where(Event.run_id == run_id).order_by(Event.event_pk)
        async with self._transaction(f"reading reconciliation run {run_id}") as session:
            return [to_record(DiscrepancyRecord, row) for row in await session.scalars(statement)]

"""Portfolio snapshots: the equity and drawdown history, and the latest state after a restart."""

from __future__ import annotations

import sqlalchemy as sa

from galfriday.storage.db.models import PortfolioSnapshotRow
from galfriday.storage.db.records import NewPortfolioSnapshot, PortfolioSnapshotRecord
from galfriday.storage.db.repositories.base import Repository, row_values, to_record


class PortfolioSnapshotRepository(Repository):
    async def insert(self, snapshot: NewPortfolioSnapshot) -> PortfolioSnapshotRecord:
        """Record a snapshot; timestamps are unique, so a second snapshot at the same instant is refused."""
        async with self._transaction(
            f"recording portfolio snapshot at {snapshot.snapshot_timestamp}"
        ) as session:
            row = PortfolioSnapshotRow(**row_values(snapshot))
            session.add(row)
            await session.flush()
            return to_record(PortfolioSnapshotRecord, row)

    async def latest(self) -> PortfolioSnapshotRecord | None:
        """The snapshot with the latest timestamp, or None if there is none."""
        statement = (
            sa.select(PortfolioSnapshotRow).order_by(PortfolioSnapshotRow.snapshot_timestamp.desc()).limit(1)
        )
        async with self._transaction("reading the latest portfolio snapshot") as session:
            row = await session.scalar(statement)
            return None if row is None else to_record(PortfolioSnapshotRecord, row)

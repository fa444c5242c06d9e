"""System log lines persisted next to the trading record, written in batches."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from galfriday.storage.db.models import SystemLogRow
from galfriday.storage.db.records import LogEntry
from galfriday.storage.db.repositories.base import Repository, row_values


class SystemLogRepository(Repository):
    async def insert_many(self, entries: Sequence[LogEntry]) -> int:
        """Insert a batch in one transaction (one round trip per batch, not per line); returns its size.

        All or nothing: one line the database refuses (e.g. an unknown level) rejects the batch.
        """
        if not entries:
            return 0
        async with self._transaction(f"writing {len(entries)} log lines") as session:
            await session.execute(sa.insert(SystemLogRow), [row_values(entry) for entry in entries])
        return len(entries)

"""Signals: recorded when proposed, then approved or rejected once by the risk manager."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa

from galfriday.core.errors import StorageError
from galfriday.core.types import SignalStatus
from galfriday.storage.db.models import SignalRow
from galfriday.storage.db.records import NewSignal, SignalRecord
from galfriday.storage.db.repositories.base import Repository, row_values, to_record


class SignalRepository(Repository):
    async def insert_proposed(self, signal: NewSignal) -> SignalRecord:
        """Record a signal as PROPOSED; a second signal with the same id is refused."""
        async with self._transaction(f"recording signal {signal.signal_id}") as session:
            row = SignalRow(**row_values(signal), status=SignalStatus.PROPOSED)
            session.add(row)
            await session.flush()
            return to_record(SignalRecord, row)

    async def mark_approved(self, signal_id: UUID, risk_check_details: Any | None = None) -> SignalRecord:
        return await self._decide(signal_id, SignalStatus.APPROVED, None, risk_check_details)

    async def mark_rejected(
        self, signal_id: UUID, reason: str, risk_check_details: Any | None = None
    ) -> SignalRecord:
        if not reason:
            raise ValueError("a rejected signal needs a reason")
        return await self._decide(signal_id, SignalStatus.REJECTED, reason, risk_check_details)

    async def get(self, signal_id: UUID) -> SignalRecord | None:
        async with self._transaction(f"reading signal {signal_id}") as session:
            row = await session.get(SignalRow, signal_id)
            return None if row is None else to_record(SignalRecord, row)

    async def _decide(
        self, signal_id: UUID, status: SignalStatus, reason: str | None, details: Any | None
    ) -> SignalRecord:
        """Move a PROPOSED signal to its verdict, once.

        Repeating the same verdict is a no-op that returns the stored signal (a retried write);
        a different verdict for an already decided signal is refused: decisions are final.
        """
        async with self._transaction(f"marking signal {signal_id} {status}") as session:
            decided = await session.scalar(
                sa.update(SignalRow)
                .where(SignalRow.signal_id == signal_id, SignalRow.status == SignalStatus.PROPOSED)
                .values(status=status, rejection_reason=reason, risk_check_details=details)
                .returning(SignalRow)
            )
            if decided is not None:
                return to_record(SignalRecord, decided)
            stored = await session.get(SignalRow, signal_id)
            if stored is None:
                raise StorageError(f"cannot mark signal {signal_id} {status}: no such signal")
            if stored.status != status:
                raise StorageError(f"cannot mark signal {signal_id} {status}: it is already {stored.status}")
            return to_record(SignalRecord, stored)

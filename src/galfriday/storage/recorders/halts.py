"""Persist the HALT journal to ``halt_records`` and load the HALT a restart must honour.

An adapter (imports storage). ``HaltJournal`` is the coordinator's ``journal`` callable: each call
queues the whole current record on a ``WriteBehind`` and returns, so the trading path never waits
on the database; saves are upserts, so the latest write is the state.
"""

from __future__ import annotations

import uuid

from galfriday.risk.halt_record import CompletedItem, HaltRecord, LaterTrigger
from galfriday.storage.db.records_halt import HaltEntry
from galfriday.storage.db.repositories.halts import HaltRepository
from galfriday.storage.recorders.write_behind import WriteBehind, utc_datetime, utc_ns


class HaltJournal:
    def __init__(self, repository: HaltRepository) -> None:
        self._repository = repository
        self.queue = WriteBehind("halt-journal")

    def __call__(self, record: HaltRecord) -> None:
        entry = to_entry(record)
        self.queue.submit(lambda: self._save(entry))

    async def _save(self, entry: HaltEntry) -> None:
        await self._repository.save(entry)

    async def load_unresolved(self) -> HaltRecord | None:
        """The HALT nobody resumed (pass it to ``HaltCoordinator.restore``), or None."""
        entry = await self._repository.latest_unresolved()
        return None if entry is None else from_entry(entry)


def to_entry(record: HaltRecord) -> HaltEntry:
    return HaltEntry(
        halt_id=uuid.UUID(record.halt_id),
        trigger=record.trigger,
        reason=record.reason,
        behaviour=record.behaviour,
        triggered_at=utc_datetime(record.triggered_at_ns),
        later_triggers=[later.to_json() for later in record.later_triggers],
        checklist=record.checklist_json(),
        resumed_at=None if record.resumed_at_ns is None else utc_datetime(record.resumed_at_ns),
        resumed_by=record.resumed_by,
    )


def from_entry(entry: HaltEntry) -> HaltRecord:
    return HaltRecord(
        halt_id=str(entry.halt_id),
        trigger=entry.trigger,
        reason=entry.reason,
        behaviour=entry.behaviour,
        triggered_at_ns=utc_ns(entry.triggered_at),
        later_triggers=tuple(
            LaterTrigger(t["trigger"], t["reason"], int(t["at_ns"])) for t in entry.later_triggers
        ),
        checklist={item: CompletedItem.from_json(done) for item, done in entry.checklist.items()},
        resumed_at_ns=None if entry.resumed_at is None else utc_ns(entry.resumed_at),
        resumed_by=entry.resumed_by,
    )

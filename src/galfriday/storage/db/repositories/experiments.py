"""A/B experiments: save the latest state of an experiment, read one back, list them."""

from __future__ import annotations

import sqlalchemy as sa

from galfriday.storage.db.models_ml import ExperimentRow
from galfriday.storage.db.records_ml import ExperimentRecord, ExperimentStatus
from galfriday.storage.db.repositories.base import Repository, dialect_insert, row_values, to_record

_MUTABLE = ("status", "config", "results", "updated_at", "stop_reason", "ended_at")


class ExperimentRepository(Repository):
    async def save(self, record: ExperimentRecord) -> ExperimentRecord:
        """Insert or replace the experiment with ``record.experiment_id`` (saving twice is harmless).

        The tracker saves the whole state after every decision, so the latest save is the truth;
        the models and the start time never change once written.
        """
        async with self._transaction(f"saving experiment {record.experiment_id}") as session:
            insert = dialect_insert(session, ExperimentRow).values(row_values(record))
            upsert = insert.on_conflict_do_update(
                index_elements=["experiment_id"], set_={name: insert.excluded[name] for name in _MUTABLE}
            ).returning(ExperimentRow)
            row = (await session.execute(upsert)).scalar_one()
            return to_record(ExperimentRecord, row)

    async def get(self, experiment_id: str) -> ExperimentRecord | None:
        async with self._transaction(f"reading experiment {experiment_id}") as session:
            row = await session.get(ExperimentRow, experiment_id)
            return None if row is None else to_record(ExperimentRecord, row)

    async def list_experiments(self, status: ExperimentStatus | None = None) -> list[ExperimentRecord]:
        """Experiments newest first, optionally only those in ``status``."""
        statement = sa.select(ExperimentRow).order_by(ExperimentRow.started_at.desc())
        if status is not None:
            statement = statement.where(ExperimentRow.status == status)
        async with self._transaction("listing experiments") as session:
            return [to_record(ExperimentRecord, row) for row in await session.scalars(statement)]

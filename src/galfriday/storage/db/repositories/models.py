"""Model registry: register versions, move them between stages atomically, and read them back.

Every stage change is one transaction that first journals the change (``INSERT … SELECT`` from the
row, so the journal records the stage the model really left) and then updates the rows; the
eligibility rules are part of that SQL, so a concurrent change cannot slip between a check and the
write. When nothing qualifies, the row is read back to say exactly why (``StageTransitionError``),
and the transaction rolls back: a promotion that fails never leaves the pair without its
production model. Writes come first in each transaction for SQLite's sake (see ``base``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from galfriday.storage.db.models_ml import ModelStageChangeRow, ModelVersionRow
from galfriday.storage.db.records_ml import (
    PROMOTABLE_FROM,
    ModelStage,
    ModelVersionRecord,
    StageChangeRecord,
    StageTransitionError,
)
from galfriday.storage.db.repositories.base import Repository, row_values, to_record
from galfriday.storage.db.types import UtcDateTime

M = ModelVersionRow


class ModelRepository(Repository):
    async def add(self, record: ModelVersionRecord) -> ModelVersionRecord:
        """Register a new version in ``record.stage``; refuses a second production model for its pair."""
        if record.stage is ModelStage.PRODUCTION:
            raise StageTransitionError(
                "a model is registered in development or staging; promote it to production afterwards"
            )
        async with self._transaction(f"registering model {record.model_id}") as session:
            row = (await session.execute(sa.insert(M).values(row_values(record)).returning(M))).scalar_one()
            await session.execute(
                sa.insert(ModelStageChangeRow).values(
                    model_id=record.model_id,
                    from_stage=None,
                    to_stage=record.stage,
                    changed_at=record.created_at,
                    reason=record.stage_reason,
                )
            )
            return to_record(ModelVersionRecord, row)

    async def get(self, model_id: str) -> ModelVersionRecord | None:
        async with self._transaction(f"reading model {model_id}") as session:
            row = await session.get(M, model_id)
            return None if row is None else to_record(ModelVersionRecord, row)

    async def list_versions(
        self, *, pair: str | None = None, stage: ModelStage | None = None, limit: int = 100
    ) -> list[ModelVersionRecord]:
        """Versions newest first, optionally of one pair and/or one stage."""
        statement = sa.select(M).order_by(M.created_at.desc(), M.model_id).limit(limit)
        if pair is not None:
            statement = statement.where(M.pair == pair)
        if stage is not None:
            statement = statement.where(M.stage == stage)
        async with self._transaction("listing models") as session:
            return [to_record(ModelVersionRecord, row) for row in await session.scalars(statement)]

    async def production(self, pairs: Sequence[str] | None = None) -> list[ModelVersionRecord]:
        """The production models (of ``pairs`` when given), ordered by pair and target."""
        statement = sa.select(M).where(M.stage == ModelStage.PRODUCTION).order_by(M.pair, M.prediction_target)
        if pairs is not None:
            statement = statement.where(M.pair.in_(list(pairs)))
        async with self._transaction("reading production models") as session:
            return [to_record(ModelVersionRecord, row) for row in await session.scalars(statement)]

    async def history(self, model_id: str) -> list[StageChangeRecord]:
        statement = (
            sa.select(ModelStageChangeRow)
            .where(ModelStageChangeRow.model_id == model_id)
            .order_by(ModelStageChangeRow.changed_at, ModelStageChangeRow.change_pk)
        )
        async with self._transaction(f"reading the history of model {model_id}") as session:
            return [to_record(StageChangeRecord, row) for row in await session.scalars(statement)]

    async def promote(
        self,
        model_id: str,
        stage: ModelStage,
        *,
        at: datetime,
        reason: str,
        force: bool = False,
        critical: bool | None = None,
    ) -> ModelVersionRecord:
        """Move ``model_id`` to staging or production.

        Production demotes the current production model of the same (pair, target) to archived and
        remembers it as ``previous_production_id`` — in the same transaction, so there is never a
        moment with two production models or, after a failure, none. A model that failed its gates
        reaches production only with ``force`` (the reason then starts with ``forced:``).
        """
        if stage not in PROMOTABLE_FROM:
            raise StageTransitionError(f"promote moves a model to staging or production, not {stage}")
        eligible = [M.model_id == model_id, M.stage.in_(list(PROMOTABLE_FROM[stage]))]
        if stage is ModelStage.PRODUCTION and not force:
            eligible.append(M.gate_passed)
        async with self._transaction(f"promoting model {model_id} to {stage}") as session:
            previous: str | None = None
            if stage is ModelStage.PRODUCTION:
                current = _current_production_of(model_id)
                replaced = f"replaced by {model_id}"
                await _journal(session, current, ModelStage.ARCHIVED, at, replaced)
                previous = await session.scalar(
                    sa.update(M)
                    .where(*current)
                    .values(stage=ModelStage.ARCHIVED, stage_reason=replaced, stage_changed_at=at)
                    .returning(M.model_id)
                )
            if not await _journal(session, eligible, stage, at, reason):
                raise await _refusal(session, model_id, stage)
            values: dict[str, Any] = {"stage": stage, "stage_reason": reason, "stage_changed_at": at}
            if stage is ModelStage.PRODUCTION:
                values["previous_production_id"] = previous
            if critical is not None:
                values["critical"] = critical
            row = (
                await session.execute(sa.update(M).where(M.model_id == model_id).values(values).returning(M))
            ).scalar_one()
            return to_record(ModelVersionRecord, row)

    async def rollback(
        self, pair: str, prediction_target: str, *, at: datetime, reason: str = "rolled back"
    ) -> ModelVersionRecord:
        """Archive the production model of (pair, target) and restore the one it replaced.

        The restored model keeps its own ``previous_production_id``, so rolling back again goes one
        step further back; the rolled-back model is never restored by a later rollback.
        """
        current = [M.pair == pair, M.prediction_target == prediction_target, M.stage == ModelStage.PRODUCTION]
        async with self._transaction(f"rolling back {pair} {prediction_target}") as session:
            await _journal(session, current, ModelStage.ARCHIVED, at, reason)
            demoted = (
                await session.execute(
                    sa.update(M)
                    .where(*current)
                    .values(stage=ModelStage.ARCHIVED, stage_reason=reason, stage_changed_at=at)
                    .returning(M.model_id, M.previous_production_id)
                )
            ).one_or_none()
            if demoted is None:
                raise StageTransitionError(
                    f"{pair} has no production model for target {prediction_target!r}: nothing to roll back"
                )
            rolled_back, previous = demoted
            if previous is None:
                raise StageTransitionError(
                    f"production model {rolled_back} of {pair} replaced no earlier model, so there is "
                    "nothing to restore; promote another model with `galfriday models promote`"
                )
            restored = f"restored by rollback of {rolled_back}"
            await _journal(session, [M.model_id == previous], ModelStage.PRODUCTION, at, restored)
            row = (
                await session.execute(
                    sa.update(M)
                    .where(M.model_id == previous)
                    .values(stage=ModelStage.PRODUCTION, stage_reason=restored, stage_changed_at=at)
                    .returning(M)
                )
            ).scalar_one()
            return to_record(ModelVersionRecord, row)

    async def archive(self, model_id: str, *, at: datetime, reason: str = "archived") -> ModelVersionRecord:
        """Retire a version (a production model leaves its pair without one until another is promoted)."""
        eligible = [M.model_id == model_id, M.stage != ModelStage.ARCHIVED]
        async with self._transaction(f"archiving model {model_id}") as session:
            if not await _journal(session, eligible, ModelStage.ARCHIVED, at, reason):
                raise await _refusal(session, model_id, ModelStage.ARCHIVED)
            row = (
                await session.execute(
                    sa.update(M)
                    .where(M.model_id == model_id)
                    .values(stage=ModelStage.ARCHIVED, stage_reason=reason, stage_changed_at=at)
                    .returning(M)
                )
            ).scalar_one()
            return to_record(ModelVersionRecord, row)


def _current_production_of(model_id: str) -> list[sa.ColumnElement[bool]]:
    """Conditions selecting the production model of ``model_id``'s (pair, target), other than itself."""
    same = sa.select(M.pair, M.prediction_target).where(M.model_id == model_id).subquery()
    return [
        M.stage == ModelStage.PRODUCTION,
        M.model_id != model_id,
        M.pair == sa.select(same.c.pair).scalar_subquery(),
        M.prediction_target == sa.select(same.c.prediction_target).scalar_subquery(),
    ]


async def _journal(
    session: AsyncSession, where: Sequence[sa.ColumnElement[bool]], to: ModelStage, at: datetime, reason: str
) -> list[str]:
    """Journal the move of every row matching ``where`` to ``to``; returns the model ids journalled."""
    source = sa.select(
        M.model_id,
        M.stage,
        sa.literal(to.value, sa.String()),
        sa.literal(at, UtcDateTime()),
        sa.literal(reason, sa.Text()),
    ).where(*where)
    statement = (
        sa.insert(ModelStageChangeRow)
        .from_select(["model_id", "from_stage", "to_stage", "changed_at", "reason"], source)
        .returning(ModelStageChangeRow.model_id)
    )
    return list(await session.scalars(statement))


async def _refusal(session: AsyncSession, model_id: str, stage: ModelStage) -> StageTransitionError:
    """Why ``model_id`` cannot move to ``stage``, as an error saying what to do instead."""
    row = await session.get(M, model_id)
    if row is None:
        return StageTransitionError(f"no model version {model_id!r}; list them with `galfriday models list`")
    if row.stage == stage:
        return StageTransitionError(f"model {model_id} is already in {stage}")
    if stage in PROMOTABLE_FROM and row.stage not in PROMOTABLE_FROM[stage]:
        return StageTransitionError(f"model {model_id} is in {row.stage}; it cannot be promoted to {stage}")
    reasons = "; ".join((row.gate or {}).get("reasons", [])) or row.stage_reason
    return StageTransitionError(
        f"model {model_id} failed its acceptance gates ({reasons}), so it cannot go to production; "
        "retrain it, or promote with --force to override (the override is recorded)"
    )

"""The model registry and A/B experiments: ``model_versions``, ``model_stage_changes``, ``experiments``.

A model that trades must be traceable to the data, features, labels and code that made it, and a
bad promotion must be undoable: every version keeps its metadata and artefact hash, every stage
change is journalled, and ``previous_production_id`` links each production model to the one it
replaced so a rollback knows what to restore. A partial unique index enforces "one production
model per (pair, prediction_target)" in the database itself, so two concurrent promotions cannot
both win.

Registered on ``models.Base`` so migrations and the model/migration agreement test see them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from galfriday.storage.db.models import Base, BigIntegerPk, check, one_of
from galfriday.storage.db.records_ml import ExperimentStatus, ModelStage
from galfriday.storage.db.types import JsonDocument, UtcDateTime


class ModelVersionRow(Base):
    """One trained model version and its stage."""

    __tablename__ = "model_versions"

    model_id: Mapped[str] = mapped_column(sa.String(96), primary_key=True)
    pair: Mapped[str] = mapped_column(sa.String(16))
    prediction_target: Mapped[str] = mapped_column(sa.String(64))
    model_type: Mapped[str] = mapped_column(sa.String(32))
    stage: Mapped[str] = mapped_column(sa.String(12))
    stage_reason: Mapped[str] = mapped_column(sa.Text)
    feature_set_id: Mapped[str] = mapped_column(sa.String(64))
    feature_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    feature_names: Mapped[Any] = mapped_column(JsonDocument)
    hyperparameters: Mapped[Any] = mapped_column(JsonDocument)
    label: Mapped[Any] = mapped_column(JsonDocument)
    metrics: Mapped[Any] = mapped_column(JsonDocument)
    gate: Mapped[Any] = mapped_column(JsonDocument)
    gate_passed: Mapped[bool] = mapped_column(sa.Boolean)
    data_start: Mapped[datetime] = mapped_column(UtcDateTime)
    data_end: Mapped[datetime] = mapped_column(UtcDateTime)
    training_rows: Mapped[int] = mapped_column(sa.Integer)
    training_seconds: Mapped[float] = mapped_column(sa.Float)
    artifact_sha256: Mapped[str] = mapped_column(sa.String(64))
    artifact_path: Mapped[str] = mapped_column(sa.Text)
    critical: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    previous_production_id: Mapped[str | None] = mapped_column(sa.ForeignKey("model_versions.model_id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    stage_changed_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        check(one_of("stage", ModelStage), "stage"),
        check("length(feature_fingerprint) = 64", "feature_fingerprint_sha256"),
        check("length(artifact_sha256) = 64", "artifact_sha256"),
        check("training_rows > 0", "training_rows_positive"),
        check("data_end >= data_start", "data_range"),
        sa.Index("idx_model_versions_pair_target_stage", "pair", "prediction_target", "stage"),
        sa.Index("idx_model_versions_artifact_sha256", "artifact_sha256"),
        sa.Index(
            "uq_model_versions_one_production",
            "pair",
            "prediction_target",
            unique=True,
            postgresql_where=sa.text("stage = 'production'"),
            sqlite_where=sa.text("stage = 'production'"),
        ),
    )


class ModelStageChangeRow(Base):
    """The audit trail: every stage a model entered, when and why."""

    __tablename__ = "model_stage_changes"

    change_pk: Mapped[int] = mapped_column(BigIntegerPk, primary_key=True)
    model_id: Mapped[str] = mapped_column(sa.ForeignKey("model_versions.model_id"))
    from_stage: Mapped[str | None] = mapped_column(sa.String(12))
    to_stage: Mapped[str] = mapped_column(sa.String(12))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(sa.Text)

    __table_args__ = (
        check(f"from_stage IS NULL OR {one_of('from_stage', ModelStage)}", "from_stage"),
        check(one_of("to_stage", ModelStage), "to_stage"),
        sa.Index("idx_model_stage_changes_model_id_changed_at", "model_id", "changed_at"),
    )


class ExperimentRow(Base):
    """An A/B experiment between two registered models and its latest results."""

    __tablename__ = "experiments"

    experiment_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    control_model_id: Mapped[str] = mapped_column(sa.ForeignKey("model_versions.model_id"))
    treatment_model_id: Mapped[str] = mapped_column(sa.ForeignKey("model_versions.model_id"))
    allocation: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[str] = mapped_column(sa.String(8))
    config: Mapped[Any] = mapped_column(JsonDocument)
    results: Mapped[Any] = mapped_column(JsonDocument)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    stop_reason: Mapped[str | None] = mapped_column(sa.Text)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        check("allocation IN ('random', 'hash')", "allocation"),
        check(one_of("status", ExperimentStatus), "status"),
        check("control_model_id <> treatment_model_id", "two_models"),
        check("(status = 'running') = (ended_at IS NULL)", "ended_when_stopped"),
        sa.Index("idx_experiments_status", "status"),
    )

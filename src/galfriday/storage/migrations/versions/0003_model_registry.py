"""Model registry and A/B experiments: ``model_versions``, ``model_stage_changes``, ``experiments``.

Model versions carry their training metadata (metrics per walk-forward window, hyperparameters,
feature set id, fingerprint and ordered names, data range, training time) and the SHA-256 of their
artefact; a partial unique index allows one production model per (pair, prediction_target).

Revision ID: 0003_model_registry
Revises: 0002_halt_records
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_model_registry"
down_revision: str | None = "0002_halt_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
BIGSERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
STAGES = "'development', 'staging', 'production', 'archived'"


def upgrade() -> None:
    op.create_table(
        "model_versions",
        sa.Column("model_id", sa.String(96), nullable=False),
        sa.Column("pair", sa.String(16), nullable=False),
        sa.Column("prediction_target", sa.String(64), nullable=False),
        sa.Column("model_type", sa.String(32), nullable=False),
        sa.Column("stage", sa.String(12), nullable=False),
        sa.Column("stage_reason", sa.Text(), nullable=False),
        sa.Column("feature_set_id", sa.String(64), nullable=False),
        sa.Column("feature_fingerprint", sa.String(64), nullable=False),
        sa.Column("feature_names", JSON, nullable=False),
        sa.Column("hyperparameters", JSON, nullable=False),
        sa.Column("label", JSON, nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("gate", JSON, nullable=False),
        sa.Column("gate_passed", sa.Boolean(), nullable=False),
        sa.Column("data_start", TIMESTAMP, nullable=False),
        sa.Column("data_end", TIMESTAMP, nullable=False),
        sa.Column("training_rows", sa.Integer(), nullable=False),
        sa.Column("training_seconds", sa.Float(), nullable=False),
        sa.Column("artifact_sha256", sa.String(64), nullable=False),
        sa.Column("artifact_path", sa.Text(), nullable=False),
        sa.Column("critical", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("previous_production_id", sa.String(96), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("stage_changed_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("model_id", name="pk_model_versions"),
        sa.ForeignKeyConstraint(
            ["previous_production_id"],
            ["model_versions.model_id"],
            name="fk_model_versions_previous_production_id_model_versions",
        ),
        sa.CheckConstraint(f"stage IN ({STAGES})", name=op.f("ck_model_versions_stage")),
        sa.CheckConstraint(
            "length(feature_fingerprint) = 64", name=op.f("ck_model_versions_feature_fingerprint_sha256")
        ),
        sa.CheckConstraint("length(artifact_sha256) = 64", name=op.f("ck_model_versions_artifact_sha256")),
        sa.CheckConstraint("training_rows > 0", name=op.f("ck_model_versions_training_rows_positive")),
        sa.CheckConstraint("data_end >= data_start", name=op.f("ck_model_versions_data_range")),
    )
    op.create_index(
        "idx_model_versions_pair_target_stage", "model_versions", ["pair", "prediction_target", "stage"]
    )
    op.create_index("idx_model_versions_artifact_sha256", "model_versions", ["artifact_sha256"])
    op.create_index(
        "uq_model_versions_one_production",
        "model_versions",
        ["pair", "prediction_target"],
        unique=True,
        postgresql_where=sa.text("stage = 'production'"),
        sqlite_where=sa.text("stage = 'production'"),
    )

    op.create_table(
        "model_stage_changes",
        sa.Column("change_pk", BIGSERIAL, nullable=False),
        sa.Column("model_id", sa.String(96), nullable=False),
        sa.Column("from_stage", sa.String(12), nullable=True),
        sa.Column("to_stage", sa.String(12), nullable=False),
        sa.Column("changed_at", TIMESTAMP, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("change_pk", name="pk_model_stage_changes"),
        sa.ForeignKeyConstraint(
            ["model_id"], ["model_versions.model_id"], name="fk_model_stage_changes_model_id_model_versions"
        ),
        sa.CheckConstraint(
            f"from_stage IS NULL OR from_stage IN ({STAGES})", name=op.f("ck_model_stage_changes_from_stage")
        ),
        sa.CheckConstraint(f"to_stage IN ({STAGES})", name=op.f("ck_model_stage_changes_to_stage")),
    )
    op.create_index(
        "idx_model_stage_changes_model_id_changed_at", "model_stage_changes", ["model_id", "changed_at"]
    )

    op.create_table(
        "experiments",
        sa.Column("experiment_id", sa.String(64), nullable=False),
        sa.Column("control_model_id", sa.String(96), nullable=False),
        sa.Column("treatment_model_id", sa.String(96), nullable=False),
        sa.Column("allocation", sa.String(8), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("config", JSON, nullable=False),
        sa.Column("results", JSON, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("stop_reason", sa.Text(), nullable=True),
        sa.Column("ended_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("experiment_id", name="pk_experiments"),
        sa.ForeignKeyConstraint(
            ["control_model_id"],
            ["model_versions.model_id"],
            name="fk_experiments_control_model_id_model_versions",
        ),
        sa.ForeignKeyConstraint(
            ["treatment_model_id"],
            ["model_versions.model_id"],
            name="fk_experiments_treatment_model_id_model_versions",
        ),
        sa.CheckConstraint("allocation IN ('random', 'hash')", name=op.f("ck_experiments_allocation")),
        sa.CheckConstraint("status IN ('running', 'stopped')", name=op.f("ck_experiments_status")),
        sa.CheckConstraint("control_model_id <> treatment_model_id", name=op.f("ck_experiments_two_models")),
        sa.CheckConstraint(
            "(status = 'running') = (ended_at IS NULL)", name=op.f("ck_experiments_ended_when_stopped")
        ),
    )
    op.create_index("idx_experiments_status", "experiments", ["status"])


def downgrade() -> None:
    op.drop_table("experiments")
    op.drop_table("model_stage_changes")
    op.drop_table("model_versions")

"""HALT journal: ``halt_records`` (trigger, reason, behaviour, recovery checklist, who resumed).

A HALT is latched across restarts: the trading core reads the latest unresolved row at start and
comes back HALTED until a person completes the recovery checklist and resumes.

Revision ID: 0002_halt_records
Revises: 0001_initial_schema
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_halt_records"
down_revision: str | None = "0001_initial_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.create_table(
        "halt_records",
        sa.Column("halt_id", sa.Uuid(), nullable=False),
        sa.Column("trigger", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("behaviour", sa.String(10), nullable=False),
        sa.Column("triggered_at", TIMESTAMP, nullable=False),
        sa.Column("later_triggers", JSON, nullable=False),
        sa.Column("checklist", JSON, nullable=False),
        sa.Column("resumed_at", TIMESTAMP, nullable=True),
        sa.Column("resumed_by", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("halt_id", name="pk_halt_records"),
        sa.CheckConstraint("behaviour IN ('close', 'maintain')", name=op.f("ck_halt_records_behaviour")),
        sa.CheckConstraint(
            "(resumed_at IS NULL) = (resumed_by IS NULL)", name=op.f("ck_halt_records_resumed_together")
        ),
        sa.CheckConstraint(
            "resumed_at IS NULL OR resumed_at >= triggered_at",
            name=op.f("ck_halt_records_resumed_after_triggered"),
        ),
    )
    op.create_index("idx_halt_records_triggered_at", "halt_records", ["triggered_at"])
    op.create_index("idx_halt_records_resumed_at", "halt_records", ["resumed_at"])


def downgrade() -> None:
    op.drop_table("halt_records")

"""Reconciliation journal: ``reconciliation_runs`` and ``reconciliation_events``.

Each comparison of our orders, fills and balances with the exchange is a run; each difference it
found is an event with our value, the exchange's value, the action taken and whether it settled
the difference. Unresolved events keep trading from starting, or HALT it.

Revision ID: 0004_reconciliation
Revises: 0003_model_registry
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_reconciliation"
down_revision: str | None = "0003_model_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
KINDS = (
    "'intent_not_placed', 'intent_placed', 'closed_on_exchange', 'missing_fill', 'orphan_adopted', "
    "'orphan_foreign', 'foreign_fill', 'missing_on_exchange', 'balance_mismatch', 'read_failed'"
)


def upgrade() -> None:
    op.create_table(
        "reconciliation_runs",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("window_start", TIMESTAMP, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("unresolved", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name="pk_reconciliation_runs"),
        sa.CheckConstraint(
            "trigger IN ('start', 'periodic', 'manual')", name=op.f("ck_reconciliation_runs_trigger")
        ),
        sa.CheckConstraint(
            "status IN ('running', 'ok', 'mismatch', 'failed')", name=op.f("ck_reconciliation_runs_status")
        ),
        sa.CheckConstraint("unresolved >= 0", name=op.f("ck_reconciliation_runs_unresolved_non_negative")),
        sa.CheckConstraint(
            "(status = 'running') = (finished_at IS NULL)",
            name=op.f("ck_reconciliation_runs_finished_when_done"),
        ),
    )
    op.create_index("idx_reconciliation_runs_started_at", "reconciliation_runs", ["started_at"])

    op.create_table(
        "reconciliation_events",
        sa.Column("event_pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("client_order_id", sa.String(64), nullable=True),
        sa.Column("exchange_order_id", sa.String(64), nullable=True),
        sa.Column("trading_pair", sa.String(16), nullable=True),
        sa.Column("local_value", JSON, nullable=True),
        sa.Column("exchange_value", JSON, nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("detected_at", TIMESTAMP, nullable=False),
        sa.Column("resolved_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("event_pk", name="pk_reconciliation_events"),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["reconciliation_runs.run_id"],
            name="fk_reconciliation_events_run_id_reconciliation_runs",
        ),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_reconciliation_events_kind")),
        sa.CheckConstraint(
            "resolved = (resolved_at IS NOT NULL)",
            name=op.f("ck_reconciliation_events_resolved_at_when_resolved"),
        ),
    )
    op.create_index("idx_reconciliation_events_run_id", "reconciliation_events", ["run_id"])
    op.create_index("idx_reconciliation_events_client_order_id", "reconciliation_events", ["client_order_id"])
    op.create_index(
        "idx_reconciliation_events_resolved_detected_at", "reconciliation_events", ["resolved", "detected_at"]
    )


def downgrade() -> None:
    op.drop_table("reconciliation_events")
    op.drop_table("reconciliation_runs")

"""The reconciliation journal: ``reconciliation_runs`` and the ``reconciliation_events`` they found.

Every difference between our records and the exchange is recorded with both values and the
action taken (DESIGN §7: reconcile at start, refuse to trade on a mismatch, and every 60 min), so
a person can see after the fact what was adopted, rejected or left unresolved, and why trading
did not start or stopped. ``client_order_id`` is text, not a UUID: a foreign order's
``cl_ord_id`` may be any short string.

Registered on ``models.Base`` so migrations and the model/migration agreement test see it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from galfriday.storage.db.models import Base, check, one_of
from galfriday.storage.db.records_reconciliation import DiscrepancyKind, RunStatus, RunTrigger
from galfriday.storage.db.types import JsonDocument, UtcDateTime


class ReconciliationRunRow(Base):
    """One comparison with the exchange and its outcome."""

    __tablename__ = "reconciliation_runs"

    run_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    trigger: Mapped[str] = mapped_column(sa.String(16))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(sa.String(16))
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    counts: Mapped[Any] = mapped_column(JsonDocument)
    unresolved: Mapped[int] = mapped_column(sa.Integer)
    error: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        check(one_of("trigger", RunTrigger), "trigger"),
        check(one_of("status", RunStatus), "status"),
        check("unresolved >= 0", "unresolved_non_negative"),
        check("(status = 'running') = (finished_at IS NULL)", "finished_when_done"),
        sa.Index("idx_reconciliation_runs_started_at", "started_at"),
    )


class ReconciliationEventRow(Base):
    """One discrepancy: both sides' values, the action taken, and whether it settled it."""

    __tablename__ = "reconciliation_events"

    event_pk: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    run_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("reconciliation_runs.run_id"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    client_order_id: Mapped[str | None] = mapped_column(sa.String(64))
    exchange_order_id: Mapped[str | None] = mapped_column(sa.String(64))
    trading_pair: Mapped[str | None] = mapped_column(sa.String(16))
    local_value: Mapped[Any | None] = mapped_column(JsonDocument)
    exchange_value: Mapped[Any | None] = mapped_column(JsonDocument)
    action: Mapped[str] = mapped_column(sa.Text)
    resolved: Mapped[bool] = mapped_column(sa.Boolean)
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        check(one_of("kind", DiscrepancyKind), "kind"),
        check("resolved = (resolved_at IS NOT NULL)", "resolved_at_when_resolved"),
        sa.Index("idx_reconciliation_events_run_id", "run_id"),
        sa.Index("idx_reconciliation_events_client_order_id", "client_order_id"),
        sa.Index("idx_reconciliation_events_resolved_detected_at", "resolved", "detected_at"),
    )

"""The HALT journal: every latched HALT, what triggered it, and the recovery that ended it.

A restart must come back HALTED if the last HALT was never resumed (DESIGN §1.5), so the HALT
lives in the database, not only in memory. One row per HALT: triggers that fire while already
halted are appended to ``later_triggers`` instead of opening a second HALT, and the recovery
checklist (who completed which item, when) is kept with the row it cleared.

Registered on ``models.Base`` so migrations and the model/migration agreement test see it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from galfriday.core.types import HaltBehaviour
from galfriday.storage.db.models import Base, check, one_of
from galfriday.storage.db.types import JsonDocument, UtcDateTime


class HaltRow(Base):
    """One latched HALT and, once a person resumed trading, who did and when."""

    __tablename__ = "halt_records"

    halt_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    trigger: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.Text)
    behaviour: Mapped[str] = mapped_column(sa.String(10))
    triggered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    later_triggers: Mapped[Any] = mapped_column(JsonDocument)
    checklist: Mapped[Any] = mapped_column(JsonDocument)
    resumed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resumed_by: Mapped[str | None] = mapped_column(sa.String(128))

    __table_args__ = (
        check(one_of("behaviour", HaltBehaviour), "behaviour"),
        check("(resumed_at IS NULL) = (resumed_by IS NULL)", "resumed_together"),
        check("resumed_at IS NULL OR resumed_at >= triggered_at", "resumed_after_triggered"),
        sa.Index("idx_halt_records_triggered_at", "triggered_at"),
        sa.Index("idx_halt_records_resumed_at", "resumed_at"),
    )

"""The plain value the HALT journal stores and returns (see ``models_halt``).

Kept apart from ``records`` because the HALT journal is not one of the seven tables of the schema
document. Timestamps are aware UTC datetimes from the caller's ``Clock``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from galfriday.core.types import HaltBehaviour


@dataclass(frozen=True, slots=True, kw_only=True)
class HaltEntry:
    """The whole state of one HALT; saving it again replaces the stored state (it only grows)."""

    halt_id: UUID
    trigger: str
    reason: str
    behaviour: HaltBehaviour
    triggered_at: datetime
    later_triggers: list[dict[str, Any]]  # [{"trigger", "reason", "at"}] fired while already halted
    checklist: dict[str, Any]  # item -> {"by", "at", "note"} once completed
    resumed_at: datetime | None = None
    resumed_by: str | None = None

    @property
    def is_resolved(self) -> bool:
        return self.resumed_at is not None

"""The plain values the reconciliation journal stores and returns (see ``models_reconciliation``).

One ``ReconciliationRun`` per comparison of our records with the exchange (at start, then
periodically); one ``Discrepancy`` per difference it found, with both sides' values, what was
done about it and whether that settled it. An unresolved discrepancy is what keeps trading from
starting (at start) or HALTs it (during operation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID


class DiscrepancyKind(StrEnum):
    INTENT_NOT_PLACED = "intent_not_placed"  # PENDING_NEW never reached the exchange -> REJECTED
    INTENT_PLACED = "intent_placed"  # PENDING_NEW found on the exchange -> acknowledged
    CLOSED_ON_EXCHANGE = "closed_on_exchange"  # open here, ended there -> final status
    MISSING_FILL = "missing_fill"  # a fill of ours the database lacked -> recorded, published
    ORPHAN_ADOPTED = "orphan_adopted"  # an exchange order with our client order id -> adopted
    ORPHAN_FOREIGN = "orphan_foreign"  # an exchange order that is not ours -> flagged or canceled
    FOREIGN_FILL = "foreign_fill"  # a fill of an order that is not ours -> flagged
    MISSING_ON_EXCHANGE = "missing_on_exchange"  # acknowledged here, unknown there
    BALANCE_MISMATCH = "balance_mismatch"  # balances differ beyond tolerance after all of the above
    READ_FAILED = "read_failed"  # the exchange could not be read: nothing could be compared


class RunTrigger(StrEnum):
    START = "start"
    PERIODIC = "periodic"
    MANUAL = "manual"


class RunStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"  # everything found was settled
    MISMATCH = "mismatch"  # at least one discrepancy is unresolved
    FAILED = "failed"  # the comparison could not be completed


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconciliationRun:
    run_id: UUID
    trigger: RunTrigger
    started_at: datetime
    window_start: datetime  # exchange history was read from here on
    status: RunStatus = RunStatus.RUNNING
    finished_at: datetime | None = None
    counts: dict[str, int]  # discrepancy kind -> how many
    unresolved: int = 0
    error: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NewDiscrepancy:
    run_id: UUID
    kind: DiscrepancyKind
    action: str  # what reconciliation did, or why it could not
    resolved: bool
    detected_at: datetime
    client_order_id: str | None = None  # ours (a UUID) or a foreign order's free text
    exchange_order_id: str | None = None
    trading_pair: str | None = None
    local_value: Any | None = None  # JSON: what our records said
    exchange_value: Any | None = None  # JSON: what the exchange said
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DiscrepancyRecord(NewDiscrepancy):
    event_pk: int

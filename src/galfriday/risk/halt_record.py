"""One latched HALT and its recovery checklist, as an immutable value.

Every change (a later trigger, a completed checklist item, the resume) makes a new record, which
the coordinator hands to its journal: a queued write can never see a half-made change, and the
journal always stores a whole, consistent state. Nanosecond times come from the ``Clock``.

The checklist is what a person must do before trading again, in this order, each item recorded
with who completed it and when; ``confirm`` comes last and only once every other item is done.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from galfriday.core.errors import GalFridayError
from galfriday.core.types import HaltBehaviour

CHECKLIST_ITEMS: tuple[str, ...] = (
    "reason_reviewed",  # the trigger and its reason are understood
    "market_ok",  # market data is flowing and the market is tradable again
    "positions_reconciled",  # the ledger matches the exchange's positions and open orders
    "api_ok",  # the exchange API answers without errors
    "balance_ok",  # balances match and cover the configured risk
    "risk_parameters_reviewed",  # limits still right for the market (or changed and reloaded)
    "confirm",  # the person resuming confirms all of the above
)


class HaltError(GalFridayError):
    """A HALT operation that is not possible in the current state."""


class IncompleteChecklistError(HaltError):
    """Resume was asked for before every recovery checklist item was completed."""

    def __init__(self, missing: tuple[str, ...]) -> None:
        self.missing = missing
        super().__init__(
            f"cannot resume: recovery checklist items not completed: {', '.join(missing)}. "
            "Complete each with complete_checklist_item(item, by=...) and resume again"
        )


@dataclass(frozen=True, slots=True)
class CompletedItem:
    by: str
    at_ns: int
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"by": self.by, "at_ns": self.at_ns, "note": self.note}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CompletedItem:
        return cls(data["by"], int(data["at_ns"]), data.get("note", ""))


@dataclass(frozen=True, slots=True)
class LaterTrigger:
    """A trigger that fired while already halted: recorded, the HALT stays as it is."""

    trigger: str
    reason: str
    at_ns: int

    def to_json(self) -> dict[str, Any]:
        return {"trigger": self.trigger, "reason": self.reason, "at_ns": self.at_ns}


@dataclass(frozen=True, slots=True)
class HaltRecord:
    halt_id: str
    trigger: str
    reason: str
    behaviour: HaltBehaviour
    triggered_at_ns: int
    later_triggers: tuple[LaterTrigger, ...] = ()
    checklist: Mapping[str, CompletedItem] = field(default_factory=dict)
    resumed_at_ns: int | None = None
    resumed_by: str | None = None

    @property
    def missing_items(self) -> tuple[str, ...]:
        return tuple(item for item in CHECKLIST_ITEMS if item not in self.checklist)

    def with_later_trigger(self, trigger: str, reason: str, at_ns: int) -> HaltRecord:
        """A new reason to be halted voids the review so far: the checklist starts again."""
        return replace(
            self, later_triggers=(*self.later_triggers, LaterTrigger(trigger, reason, at_ns)), checklist={}
        )

    def with_item(self, item: str, by: str, at_ns: int, note: str = "") -> HaltRecord:
        if item not in CHECKLIST_ITEMS:
            raise HaltError(f"unknown checklist item {item!r}; the items are: {', '.join(CHECKLIST_ITEMS)}")
        if not by.strip():
            raise HaltError(f"checklist item {item!r} needs the name of the person completing it")
        if item == "confirm":
            others = tuple(i for i in self.missing_items if i != "confirm")
            if others:
                raise HaltError(f"confirm comes last: first complete {', '.join(others)}")
        return replace(self, checklist={**self.checklist, item: CompletedItem(by, at_ns, note)})

    def resumed(self, by: str, at_ns: int) -> HaltRecord:
        missing = self.missing_items
        if missing:
            raise IncompleteChecklistError(missing)
        if not by.strip():
            raise HaltError("resume needs the name of the person resuming")
        return replace(self, resumed_at_ns=at_ns, resumed_by=by)

    def checklist_json(self) -> dict[str, Any]:
        return {item: done.to_json() for item, done in self.checklist.items()}

"""Where each pair stands for the strategy: the lifecycle that enforces one position per pair.

    FLAT ─propose─▶ PROPOSED ─approved─▶ APPROVED ─filled─▶ OPEN ─exit─▶ EXITING ─flat─▶ FLAT
                       │ rejected            │ entry finished unfilled      │ exit order failed
                       ▼                     ▼                               ▼
                      FLAT                  FLAT                            OPEN

No entry is proposed unless the pair is FLAT; exits are only sent from OPEN, once (EXITING
waits for the position to reach zero, or for the exit order to fail so the exit can be retried).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Phase(StrEnum):
    FLAT = "flat"
    PROPOSED = "proposed"
    APPROVED = "approved"
    OPEN = "open"
    EXITING = "exiting"


@dataclass(slots=True)
class PairState:
    phase: Phase = Phase.FLAT
    signal_id: str | None = None
    sl: Decimal | None = None
    tp: Decimal | None = None
    opened_at_ns: int | None = None

    def reset(self) -> None:
        self.phase = Phase.FLAT
        self.signal_id = None
        self.sl = self.tp = None
        self.opened_at_ns = None

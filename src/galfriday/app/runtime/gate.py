"""The entry gate: what the RiskManager asks "may anything new be opened?".

It is the HALT coordinator's answer, plus one of the session's own: once shutdown has begun no
new entry may be approved, without latching a HALT (a clean stop must not make the next start
come up HALTED). The risk manager's last stage refuses every signal while ``is_halted`` is true
and names ``current``'s trigger and reason, so a stopping session says so in the rejection.
"""

from __future__ import annotations

from galfriday.core.clock import Clock
from galfriday.core.events import new_id
from galfriday.core.types import HaltBehaviour
from galfriday.risk.halt import HaltCoordinator
from galfriday.risk.halt_record import HaltRecord

SHUTDOWN_TRIGGER = "shutdown"


class EntryGate:
    def __init__(self, halt: HaltCoordinator, clock: Clock) -> None:
        self._halt = halt
        self._clock = clock
        self._closed: HaltRecord | None = None

    def close(self, reason: str) -> None:
        """No new entries from now on (not persisted: it ends with the process)."""
        if self._closed is None:
            self._closed = HaltRecord(
                new_id(), SHUTDOWN_TRIGGER, reason, HaltBehaviour.MAINTAIN, self._clock.timestamp_ns()
            )

    @property
    def is_halted(self) -> bool:
        return self._halt.is_halted or self._closed is not None

    @property
    def current(self) -> HaltRecord | None:
        return self._halt.current or self._closed

"""Crash points: kill the process with SIGKILL at a chosen moment of an order's life (crash-safety tests).

Off unless ``GALFRIDAY_CRASH_AT=<point>:<nth>`` is set when this module is first imported: then
the ``nth`` time the code reaches ``crashpoint("<point>")`` the process sends itself SIGKILL — no
``finally``, no flush, no shutdown, exactly what a power cut or the OOM killer leaves behind. When
off, ``crashpoint`` is one global read and a return. An unknown point name refuses the start
(``ValueError``): a typo must not become a campaign run that silently never crashes.

The points, in the order an order lives through them (where the call sits):

- ``journal.intent_recorded`` — the PENDING_NEW row is written, AddOrder not sent yet
  (``OrderJournal._send``);
- ``venue.add_order_answered`` — Kraken answered AddOrder, the answer is not handled yet: no
  ``OrderAccepted`` exists anywhere but on the exchange (``KrakenVenue.submit``);
- ``journal.ack_unrecorded`` — an ``OrderAccepted`` reached the journal, not written yet;
- ``journal.ack_recorded`` — the row says NEW, the kernel has not heard of it yet;
- ``journal.partial_fill_unrecorded`` / ``journal.partial_fill_recorded`` — a fill that leaves
  part of the order open, before / after its ``fills`` row and status are written;
- ``execution.entry_filled`` — the handler booked an entry fill, its take-profit is not placed;
- ``journal.take_profit_placed`` — a take-profit leg is on the exchange (AddOrder answered);
- ``execution.stop_triggered`` — the stop-loss fired, nothing canceled or sold yet;
- ``execution.exit_started`` — a ``ClosePosition`` (strategy exit, time exit, HALT) was
  accepted, nothing canceled or sold yet;
- ``venue.cancel_sent`` — CancelOrder answered (an OCO leg, an exit, a timeout, a shutdown), its
  end not reported yet;
- ``shutdown.cancel_wait`` — a graceful stop published its cancels and waits for their ends
  (reached at every poll, the first right after the cancels were published, then every 20 ms
  while some are open: ``nth`` picks how far the cancels got).

The campaign (``tests/acceptance/test_crash_campaign.py``, ``docs/crash_safety.md``) chooses the
point and ``nth`` from a seed, restarts the process without the variable and checks that nothing
was lost, duplicated or orphaned.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

ENV_VAR = "GALFRIDAY_CRASH_AT"

POINTS: tuple[str, ...] = (
    "journal.intent_recorded",
    "venue.add_order_answered",
    "journal.ack_unrecorded",
    "journal.ack_recorded",
    "journal.partial_fill_unrecorded",
    "journal.partial_fill_recorded",
    "execution.entry_filled",
    "journal.take_profit_placed",
    "execution.stop_triggered",
    "execution.exit_started",
    "venue.cancel_sent",
    "shutdown.cancel_wait",
)


@dataclass(frozen=True, slots=True)
class CrashPlan:
    point: str
    nth: int = 1

    @classmethod
    def parse(cls, text: str) -> CrashPlan:
        """``<point>`` or ``<point>:<nth>`` (nth >= 1, default 1)."""
        point, _, nth = text.strip().partition(":")
        if point not in POINTS:
            raise ValueError(f"{ENV_VAR}={text!r}: unknown crash point {point!r}; known: {', '.join(POINTS)}")
        try:
            count = int(nth) if nth else 1
        except ValueError:
            raise ValueError(f"{ENV_VAR}={text!r}: nth must be an integer >= 1") from None
        if count < 1:
            raise ValueError(f"{ENV_VAR}={text!r}: nth must be an integer >= 1")
        return cls(point, count)

    def __str__(self) -> str:
        return f"{self.point}:{self.nth}"


_plan: CrashPlan | None = None
_reached = 0


def arm(plan: CrashPlan | None) -> None:
    """Crash at ``plan`` (None: never); the count of points reached starts again."""
    global _plan, _reached
    _plan, _reached = plan, 0


def arm_from_environment() -> CrashPlan | None:
    """Arm from ``GALFRIDAY_CRASH_AT`` (unset or empty: off); returns what was armed."""
    text = os.environ.get(ENV_VAR, "")
    arm(CrashPlan.parse(text) if text.strip() else None)
    return _plan


def crashpoint(name: str) -> None:
    """The process dies here if this is the armed point's ``nth`` visit."""
    if _plan is None:
        return
    _visit(name)


def _visit(name: str) -> None:
    global _reached
    assert _plan is not None
    if name != _plan.point:
        return
    _reached += 1
    if _reached == _plan.nth:
        # Straight to fd 2, unbuffered: the only trace the crash leaves is the one the test reads.
        os.write(2, f"crashpoint {_plan}: SIGKILL\n".encode())
        os.kill(os.getpid(), signal.SIGKILL)


arm_from_environment()

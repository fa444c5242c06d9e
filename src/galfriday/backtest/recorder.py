"""What a run keeps for its results and its database rows: the sparse events, never the market.

Two streams, each in the order it happened:
- ``venue_log``: every command sent to the venue and every report it sent back — exactly what the
  write-ahead order journal sees in a paper session, so the database replay (``persist``) writes
  the rows the journal would have written, and parity with paper compares like with like;
- ``kernel_log``: signals and their verdicts, closed trades and HALTs, from the bus.
Handler failures on the bus are kept too: a backtest in which a kernel handler raised cannot be
trusted, and the result says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from galfriday.core.bus_stats import HandlerFailure
from galfriday.core.events import (
    CancelOrder,
    Command,
    Event,
    HaltTriggered,
    SignalApproved,
    SignalProposed,
    SignalRejected,
    SubmitOrder,
    TradeClosed,
)

_KERNEL_EVENTS = (SignalProposed, SignalApproved, SignalRejected, TradeClosed, HaltTriggered)


class RunRecorder:
    def __init__(self) -> None:
        self.venue_log: list[Event] = []
        self.kernel_log: list[Event] = []
        self.failures: list[HandlerFailure] = []

    def attach(self, bus: Any) -> None:
        for event_type in _KERNEL_EVENTS:
            bus.subscribe(event_type, self.kernel_log.append, name=f"backtest.record.{event_type.__name__}")
        bus.add_failure_listener(self.failures.append)

    def tap_commands(self, forward: Callable[[Command], None]) -> Callable[[Command], None]:
        """A venue command handler that records each command before ``forward`` carries it out."""

        def to_venue(command: Command) -> None:
            if isinstance(command, SubmitOrder | CancelOrder):  # the venue ignores the others
                self.venue_log.append(command)
            forward(command)

        return to_venue

    def tap_reports(self, publish: Callable[[Event], None]) -> Callable[[Event], None]:
        """The venue's ``publish``: record each report, then ``publish`` it."""

        def from_venue(event: Event) -> None:
            self.venue_log.append(event)
            publish(event)

        return from_venue

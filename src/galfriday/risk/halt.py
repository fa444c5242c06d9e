"""HaltCoordinator: the latched HALT (DESIGN §1.5) and the only way out of it.

A registry of triggers (drawdowns, loss streak, API errors, stale data, volatility, critical
module failure, and the manual ``halt``) feeds one decision: the first firing HALTs; later ones
while halted are recorded on the same HALT, which stays as it is. On HALT the coordinator
publishes ``HaltTriggered`` and ``SystemStateChanged``, cancels every entry order that could
still fill (no new exposure in either behaviour), and with behaviour ``close`` publishes
``ClosePosition(reason=HALT)`` for every open position — and for any position that appears
while halted. With ``maintain`` positions keep their SL/TP orders and exits.

Trading resumes only through ``resume(by)`` after every recovery checklist item is completed and
recorded. Every change of the HALT record goes to the injected ``journal`` (queued by the
storage adapter, never awaited here), so a restart ``restore``s it and comes back HALTED.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from galfriday.config.sections.risk import RiskSettings
from galfriday.core.clock import Clock
from galfriday.core.events import (
    AlertRaised,
    CancelOrder,
    ClosePosition,
    Event,
    HaltResumed,
    HaltTriggered,
    PositionChanged,
    SystemStateChanged,
    new_id,
)
from galfriday.core.types import AlertSeverity, ExitReason, HaltBehaviour, SystemState
from galfriday.portfolio.view import PortfolioView
from galfriday.risk.halt_record import HaltError, HaltRecord
from galfriday.risk.triggers import (
    ApiErrorTrigger,
    DrawdownTrigger,
    HaltTrigger,
    LossStreakTrigger,
    ModuleFailureTrigger,
    StaleDataTrigger,
    VolatilityTrigger,
)

logger = logging.getLogger(__name__)

Publish = Callable[[Event], None]
Journal = Callable[[HaltRecord], None]
SOURCE = "risk.halt"


class HaltCoordinator:
    def __init__(
        self,
        settings: RiskSettings,
        clock: Clock,
        publish: Publish,
        portfolio: PortfolioView,
        *,
        journal: Journal | None = None,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._publish = publish
        self._portfolio = portfolio
        self._journal = journal or (lambda record: None)
        self._record: HaltRecord | None = None
        self._closing: set[str] = set()
        self.triggers: dict[str, HaltTrigger] = {}
        self._api_errors = ApiErrorTrigger(settings, clock, self.fire)
        self._module_failure = ModuleFailureTrigger(self.fire)
        for trigger in (
            DrawdownTrigger(settings, portfolio, self.fire),
            LossStreakTrigger(settings, self.fire, self._warn),
            self._api_errors,
            StaleDataTrigger(self.fire),
            VolatilityTrigger(settings.volatility_halt, self.fire),
            self._module_failure,
        ):
            self.register(trigger)

    # -- wiring ---------------------------------------------------------------------------------

    def register(self, trigger: HaltTrigger) -> None:
        """Add a trigger (before ``attach``); names are unique."""
        if trigger.name in self.triggers:
            raise HaltError(f"a HALT trigger named {trigger.name!r} is already registered")
        self.triggers[trigger.name] = trigger

    def attach(self, bus: Any) -> None:
        for trigger in self.triggers.values():
            for event_type, handler in trigger.subscriptions():
                bus.subscribe(
                    event_type, handler, name=f"halt.{trigger.name}.{event_type.__name__}", group="halt"
                )
        bus.subscribe(PositionChanged, self.on_position_changed, name="halt.flatten", group="halt")
        bus.add_failure_listener(self._module_failure.on_handler_failure)

    # -- state ----------------------------------------------------------------------------------

    @property
    def is_halted(self) -> bool:
        return self._record is not None

    @property
    def current(self) -> HaltRecord | None:
        return self._record

    @property
    def state(self) -> SystemState:
        return SystemState.HALTED if self._record is not None else SystemState.RUNNING

    # -- triggering -----------------------------------------------------------------------------

    def fire(self, trigger: str, reason: str, behaviour: HaltBehaviour | None = None) -> None:
        """HALT (or, when already halted, record ``trigger`` on the HALT in force)."""
        now = self._clock.timestamp_ns()
        if self._record is not None:
            self._record = self._record.with_later_trigger(trigger, reason, now)
            self._journal(self._record)
            logger.error("HALT trigger %s while halted (recorded, checklist restarts): %s", trigger, reason)
            self._publish(
                AlertRaised(
                    ts_event=now,
                    ts_init=now,
                    severity=AlertSeverity.CRITICAL,
                    source=SOURCE,
                    title=f"HALT trigger while halted: {trigger}",
                    message=f"{reason}. The recovery checklist starts again.",
                )
            )
            return
        behaviour = behaviour or HaltBehaviour(self._settings.halt_behaviour)
        self._record = HaltRecord(new_id(), trigger, reason, behaviour, now)
        self._journal(self._record)
        logger.critical("HALT (%s, behaviour %s): %s", trigger, behaviour, reason)
        self._publish(
            HaltTriggered(ts_event=now, ts_init=now, trigger=trigger, reason=reason, behaviour=behaviour)
        )
        self._publish(
            SystemStateChanged(
                ts_event=now,
                ts_init=now,
                previous=SystemState.RUNNING,
                current=SystemState.HALTED,
                reason=f"{trigger}: {reason}",
            )
        )
        self._enforce()

    def halt(self, reason: str, by: str, behaviour: HaltBehaviour | None = None) -> None:
        """Manual HALT (control API, CLI)."""
        self.fire("manual", f"{reason} (by {by})", behaviour)

    def record_api_error(self, detail: str) -> None:
        """Report an exchange API error that is not an order rejection (those arrive as events)."""
        self._api_errors.record_error(detail)

    def _warn(self, title: str, message: str) -> None:
        now = self._clock.timestamp_ns()
        logger.warning("%s: %s", title, message)
        self._publish(
            AlertRaised(
                ts_event=now,
                ts_init=now,
                severity=AlertSeverity.WARNING,
                title=title,
                message=message,
                source=SOURCE,
            )
        )

    # -- behaviour ------------------------------------------------------------------------------

    def enforce(self) -> None:
        """Apply the HALT in force again: after a restart, once positions taken over from the
        previous process have someone to close them (``restore`` ran before they existed)."""
        if self._record is not None:
            self._enforce()

    def _enforce(self) -> None:
        """Cancel entries that could still fill; with ``close``, flatten every position."""
        record = self._record
        assert record is not None
        now = self._clock.timestamp_ns()
        for client_order_id, pair in self._portfolio.open_entry_orders():
            self._publish(
                CancelOrder(
                    ts_event=now, ts_init=now, client_order_id=client_order_id, pair=pair, reason="HALT"
                )
            )
        if record.behaviour is HaltBehaviour.CLOSE:
            for pair in self._portfolio.open_positions():
                self._close(pair, now)

    def _close(self, pair: str, now: int) -> None:
        self._closing.add(pair)
        self._publish(ClosePosition(ts_event=now, ts_init=now, pair=pair, reason=ExitReason.HALT))

    def on_position_changed(self, event: PositionChanged) -> None:
        """While halted with ``close``, a position that appears (a late entry fill) is closed too."""
        if event.qty == 0:
            self._closing.discard(event.pair)
            return
        record = self._record
        if record is not None and record.behaviour is HaltBehaviour.CLOSE and event.pair not in self._closing:
            self._close(event.pair, self._clock.timestamp_ns())

    # -- recovery -------------------------------------------------------------------------------

    def complete_checklist_item(self, item: str, by: str, note: str = "") -> tuple[str, ...]:
        """Record that ``by`` completed ``item``; returns the items still missing."""
        if self._record is None:
            raise HaltError("the system is not halted: there is no recovery checklist to complete")
        self._record = self._record.with_item(item, by, self._clock.timestamp_ns(), note)
        self._journal(self._record)
        return self._record.missing_items

    def resume(self, by: str) -> HaltRecord:
        """Resume trading; raises ``IncompleteChecklistError`` naming every missing item."""
        if self._record is None:
            raise HaltError("the system is not halted: nothing to resume")
        now = self._clock.timestamp_ns()
        record = self._record.resumed(by, now)
        self._journal(record)
        self._record = None
        self._closing.clear()
        for trigger in self.triggers.values():
            trigger.reset()
        logger.warning("trading resumed by %s after HALT %s (%s)", by, record.halt_id, record.trigger)
        self._publish(
            HaltResumed(ts_event=now, ts_init=now, resumed_by=by, checklist=record.checklist_json())
        )
        self._publish(
            SystemStateChanged(
                ts_event=now,
                ts_init=now,
                previous=SystemState.HALTED,
                current=SystemState.RUNNING,
                reason=f"resumed by {by}",
            )
        )
        return record

    def restore(self, record: HaltRecord) -> None:
        """Come back HALTED after a restart (restore the portfolio first: ``close`` flattens again
        whatever is still open, and pending entries are cancelled again)."""
        if record.resumed_at_ns is not None:
            return
        self._record = record
        now = self._clock.timestamp_ns()
        logger.critical("restarted HALTED: HALT %s (%s) was never resumed", record.halt_id, record.trigger)
        self._publish(
            SystemStateChanged(
                ts_event=now,
                ts_init=now,
                previous=SystemState.STARTING,
                current=SystemState.HALTED,
                reason=f"restored HALT {record.trigger}: {record.reason}",
            )
        )
        self._enforce()

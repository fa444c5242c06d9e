"""ExecutionHandler: approved signals in, orders out; every order followed to its end.

Consumes ``SignalApproved`` (a new bracket: entry order, then take-profit legs and a stop as it
fills), ``ClosePosition`` (cancel the bracket's orders, then sell what is held at market — once per
pair however many ask), ``HaltTriggered``/``HaltResumed`` (cancel working entries; send no new
entry while halted), the order reports (``OrderAccepted``, ``OrderRejected``, ``OrderCanceled``,
``OrderExpired``, ``OrderFilled``), its own entry-timeout ``TimeEvent`` and market data (for the
stops, see ``exits``). Publishes ``OrderSubmitted`` then ``SubmitOrder``, ``CancelOrder``, and for
orders it decides not to send ``OrderRejected``/``OrderCanceled`` (see ``sender``).

Why one subscription to ``Event`` rather than one per class: on the live bus every subscription has
its own queue, and a cancel report could overtake the fill published just before it — the handler
would then size a replacement or a close on a position that is about to change. One queue sees the
reports in the order the venue published them. (On the backtest bus it makes no difference.)

After every event that touches a bracket the handler *drives* it: settle a pending replacement
entry, then let ``exits`` do what the bracket's state calls for (cover it with take-profit legs,
or carry on closing it), then forget it once it is flat with nothing working. Driving is
idempotent, so it does not matter which event made progress possible.

No I/O, no awaits: the same object runs on the backtest and the live bus.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from galfriday.config.sections.signal import StrategySettings
from galfriday.core.clock import Clock
from galfriday.core.crashpoints import crashpoint
from galfriday.core.events import (
    BarClosed,
    ClosePosition,
    Event,
    HaltResumed,
    HaltTriggered,
    MarketTradeReceived,
    OrderAccepted,
    OrderBookUpdated,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    SignalApproved,
    TimeEvent,
    new_id,
)
from galfriday.core.instruments import Instrument
from galfriday.core.types import OrderType
from galfriday.execution.bracket import Bracket
from galfriday.execution.entries import TIMEOUT_PREFIX, Entries
from galfriday.execution.exits import Exits
from galfriday.execution.order_state import OrderEvent, OrderState
from galfriday.execution.order_store import OrderStore
from galfriday.execution.sender import IdFactory, OrderSender
from galfriday.execution.stop_watch import StopWatch
from galfriday.execution.takeover import RestoredBracket, restored_tag
from galfriday.portfolio.order_tags import OrderPurpose, OrderTag, OrderTagRegistry

logger = logging.getLogger(__name__)

Publish = Callable[[Event], None]


class ExecutionHandler:
    def __init__(
        self,
        settings: StrategySettings,
        instruments: Mapping[str, Instrument],
        clock: Clock,
        publish: Publish,
        order_tags: OrderTagRegistry,
        *,
        ids: IdFactory = new_id,
        retain_finished: int = 10_000,
    ) -> None:
        self._instruments = dict(instruments)
        self._store = OrderStore(retain_finished=retain_finished)
        self._sender = OrderSender(clock, publish, order_tags, self._store, ids)
        self._entries = Entries(settings, clock, publish, self._sender)
        self._exits = Exits(self._instruments, self._sender)
        self._stops = StopWatch()
        self._brackets: dict[str, Bracket] = {}
        self.halted = False
        self._dispatch: dict[type, Callable[[Any], None]] = {
            SignalApproved: self.on_signal_approved,
            ClosePosition: self.on_close_position,
            HaltTriggered: self.on_halt,
            HaltResumed: self.on_resumed,
            TimeEvent: self.on_time,
            OrderAccepted: self.on_order_event,
            OrderRejected: self.on_order_event,
            OrderCanceled: self.on_order_event,
            OrderExpired: self.on_order_event,
            OrderFilled: self.on_order_event,
            OrderBookUpdated: self.on_market,
            MarketTradeReceived: self.on_market,
            BarClosed: self.on_market,
        }

    # -- wiring and reads -----------------------------------------------------------------------

    def attach(self, bus: Any) -> None:
        bus.subscribe(Event, self.on_event, name="execution", critical=True)

    def bracket(self, pair: str) -> Bracket | None:
        """The bracket working on ``pair`` (None when the handler holds nothing there)."""
        return self._brackets.get(pair)

    def order(self, client_order_id: str) -> OrderState | None:
        found = self._store.get(client_order_id)
        return None if found is None else found[0]

    def orders(self) -> Iterator[OrderState]:
        """Every order still remembered (open ones and the most recent finished ones)."""
        return iter(self._store)

    def take_over(self, restored: RestoredBracket) -> Bracket:
        """Work a position and orders an earlier process left (``execution.takeover``)."""
        if restored.pair in self._brackets:
            raise ValueError(f"{restored.pair}: a bracket already works the pair; take over before trading")
        bracket = Bracket(
            signal_id=restored.signal_id,
            strategy_id=restored.strategy_id,
            pair=restored.pair,
            side=restored.side,
            qty=restored.qty,
            sl=restored.sl,
            tp=restored.tp,
            correlation_id=restored.signal_id,
            held=restored.held,
        )
        for order in restored.orders:
            purpose = OrderPurpose(order.purpose)
            tag = restored_tag(restored, purpose)
            self._sender.take_over(bracket, order, tag)
            if purpose is OrderPurpose.ENTRY and order.order_type is OrderType.LIMIT:
                self._entries.arm_timeout(order)
            elif purpose in (OrderPurpose.EXIT, OrderPurpose.STOP_LOSS):
                bracket.exit_reason, bracket.exit_tag = tag.closes_with, tag  # it was being closed
        self._brackets[restored.pair] = bracket
        logger.warning(
            "%s: took over %s held and %d working order(s) of signal %s (SL %s, TP %s)",
            restored.pair,
            restored.held,
            len(restored.orders),
            restored.signal_id,
            restored.sl,
            restored.tp,
            extra={"correlation_id": restored.signal_id},
        )
        self._drive(bracket)
        return bracket

    # -- handlers -------------------------------------------------------------------------------

    def on_event(self, event: Event) -> None:
        handler = self._dispatch.get(type(event))
        if handler is not None:
            handler(event)

    def on_signal_approved(self, event: SignalApproved) -> None:
        tag = OrderTag.entry(event.signal_id, event.strategy_id)
        why_not = self._refusal(event)
        if why_not is not None:
            logger.warning(
                "signal %s on %s not traded: %s",
                event.signal_id,
                event.pair,
                why_not,
                extra={"correlation_id": event.signal_id},
            )
            self._sender.refuse(event.pair, tag, event.signal_id, why_not)
            return
        bracket = Bracket(
            signal_id=event.signal_id,
            strategy_id=event.strategy_id,
            pair=event.pair,
            side=event.side,
            qty=event.qty,
            sl=event.sl_price,
            tp=event.tp_price,
            correlation_id=event.signal_id,
        )
        self._brackets[event.pair] = bracket
        self._entries.send(bracket, event)

    def on_close_position(self, command: ClosePosition) -> None:
        bracket = self._brackets.get(command.pair)
        if bracket is None:
            logger.info("ClosePosition %s (%s): nothing held or working there", command.pair, command.reason)
            return
        tag = OrderTag.exit(command.reason, bracket.signal_id, bracket.strategy_id)
        if not self._exits.start_close(bracket, command.reason, tag):
            logger.info(
                "ClosePosition %s (%s) ignored: already closing (%s)",
                command.pair,
                command.reason,
                bracket.exit_reason,
                extra={"correlation_id": bracket.correlation_id},
            )
            return
        crashpoint("execution.exit_started")
        self._drive(bracket)

    def on_halt(self, event: HaltTriggered) -> None:
        self.halted = True
        for bracket in list(self._brackets.values()):
            for order in bracket.open_orders(OrderPurpose.ENTRY):
                self._sender.cancel(order, f"HALT: {event.trigger}")

    def on_resumed(self, _: HaltResumed) -> None:
        self.halted = False

    def on_time(self, event: TimeEvent) -> None:
        if not event.name.startswith(TIMEOUT_PREFIX):
            return
        found = self._store.get(event.name.removeprefix(TIMEOUT_PREFIX))
        if found is not None:
            order, bracket = found
            self._entries.on_timeout(bracket, order, halted=self.halted)

    def on_order_event(self, event: OrderEvent) -> None:
        found = self._store.get(event.client_order_id)
        if found is None:
            return  # not one of ours (a manual order, another process)
        order, bracket = found
        was_open = order.is_open
        if not order.apply(event).applied:
            return
        if isinstance(event, OrderFilled):
            bracket.book_fill(order, event.qty)
            if order.purpose == OrderPurpose.ENTRY:
                crashpoint("execution.entry_filled")
        if was_open and order.is_terminal:
            self._store.finished(order.client_order_id)
            if order.purpose == OrderPurpose.ENTRY:
                self._entries.entry_ended(order)
            self._exits.order_ended(bracket, order)
        self._drive(bracket)

    def on_market(self, event: OrderBookUpdated | MarketTradeReceived | BarClosed) -> None:
        seen = self._stops.on_market(event)
        bracket = self._brackets.get(event.pair)
        if seen is not None and bracket is not None and self._exits.check_stop(bracket, seen):
            crashpoint("execution.stop_triggered")
            self._drive(bracket)

    # -- internals ------------------------------------------------------------------------------

    def _refusal(self, event: SignalApproved) -> str | None:
        if self.halted:
            return "trading is HALTED"
        if event.pair not in self._instruments:
            return f"no instrument for {event.pair}: add it to the instruments the handler is built with"
        working = self._brackets.get(event.pair)
        if working is not None:
            return f"signal {working.signal_id} still works {event.pair} (one position per pair)"
        return None

    def _drive(self, bracket: Bracket) -> None:
        reference = self._stops.last(bracket.pair) or bracket.sl
        instrument = self._instruments[bracket.pair]
        self._entries.settle_replacement(bracket, instrument, reference, halted=self.halted)
        self._exits.drive(bracket, reference)
        active = self._brackets.get(bracket.pair)
        if bracket.is_done:
            if active is bracket:
                del self._brackets[bracket.pair]
        elif active is None:
            self._brackets[bracket.pair] = bracket  # a late fill reopened a finished bracket
        elif active is not bracket:
            logger.critical(
                "%s: signal %s holds %s after its bracket ended, while signal %s trades the pair; "
                "reconcile and close it by hand",
                bracket.pair,
                bracket.signal_id,
                bracket.held,
                active.signal_id,
                extra={"correlation_id": bracket.correlation_id},
            )

"""Entry orders: the approved signal's first order, its timeout, and what replaces a timed-out limit.

A LIMIT entry (``SignalApproved.entry_type``) gets a clock alert ``strategy.entry_timeout_s``
after it is sent (15 s by default). The alert is delivered as a ``TimeEvent`` on the bus (its
callback is the bus's ``publish``), so the handler meets it in order with the order reports, never
re-entrantly from inside the clock. If the limit is still working then:
- ``on_entry_timeout: cancel`` — it is canceled; whatever filled stays and is protected as usual;
- ``on_entry_timeout: market`` — a market order for the rest is *registered* first (the portfolio
  must never see the signal's entry as finished in between), then the limit is canceled; once the
  limit has ended, the rest — the approved quantity minus everything the limit filled meanwhile —
  is sent at market with that registered id, or the registered order is withdrawn when nothing is
  left, the rest is below the exchange minimum, trading is HALTED or the position is being closed.
A MARKET entry needs no timeout.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from galfriday.config.sections.signal import StrategySettings
from galfriday.core.clock import NS_PER_S, Clock
from galfriday.core.events import Event, SignalApproved
from galfriday.core.instruments import Instrument
from galfriday.core.types import OrderType
from galfriday.execution.bracket import Bracket
from galfriday.execution.order_state import OrderState
from galfriday.execution.sender import OrderSender
from galfriday.portfolio.order_tags import OrderPurpose, OrderTag

logger = logging.getLogger(__name__)

TIMEOUT_PREFIX = "execution.entry_timeout:"


class Entries:
    def __init__(
        self,
        settings: StrategySettings,
        clock: Clock,
        publish: Callable[[Event], None],
        sender: OrderSender,
    ) -> None:
        self._timeout_ns = int(settings.entry_timeout_s * NS_PER_S)
        self._to_market = settings.on_entry_timeout == "market"
        self._clock = clock
        self._publish = publish
        self._sender = sender

    def send(self, bracket: Bracket, approved: SignalApproved) -> None:
        """The bracket's first order: a limit at the approved price, or a market order."""
        tag = OrderTag.entry(bracket.signal_id, bracket.strategy_id)
        if approved.entry_type is OrderType.MARKET or approved.entry_price is None:
            self._sender.submit(bracket, OrderPurpose.ENTRY, tag, OrderType.MARKET, bracket.qty)
            return
        order = self._sender.submit(
            bracket, OrderPurpose.ENTRY, tag, OrderType.LIMIT, bracket.qty, limit_price=approved.entry_price
        )
        self.arm_timeout(order)

    def arm_timeout(self, order: OrderState) -> None:
        """The limit entry's timeout, ``entry_timeout_s`` from now (from a restart for a taken-over one)."""
        at = self._clock.timestamp_ns() + self._timeout_ns
        self._clock.set_time_alert(timer_name(order.client_order_id), at, self._publish)

    def on_timeout(self, bracket: Bracket, order: OrderState, *, halted: bool) -> None:
        if not order.is_open or order.cancel_pending or bracket.closing:
            return  # it ended, or something else is already taking it off the book
        if self._to_market and not halted and bracket.replacement is None:
            bracket.replacement = self._sender.reserve(OrderTag.entry(bracket.signal_id, bracket.strategy_id))
            reason = "entry timeout: the rest goes at market"
        else:
            reason = "entry timeout"
        logger.info(
            "%s: entry %s still working after %.1fs (%s filled): %s",
            bracket.pair,
            order.client_order_id,
            self._timeout_ns / NS_PER_S,
            order.cum_qty,
            reason,
            extra={"correlation_id": bracket.correlation_id},
        )
        self._sender.cancel(order, reason)

    def entry_ended(self, order: OrderState) -> None:
        self._clock.cancel_timer(timer_name(order.client_order_id))

    def settle_replacement(
        self, bracket: Bracket, instrument: Instrument, reference: Decimal, *, halted: bool
    ) -> None:
        """Once the timed-out limit has ended, send the registered market order or withdraw it."""
        if bracket.replacement is None or bracket.open_orders(OrderPurpose.ENTRY):
            return
        cid, bracket.replacement = bracket.replacement, None
        rest = instrument.round_qty(bracket.qty - bracket.entry_filled)
        minimum = instrument.min_qty_for_price(reference)
        if halted:
            why_not = "trading is HALTED"
        elif bracket.closing:
            why_not = f"the position is being closed ({bracket.exit_reason})"
        elif rest <= 0:
            why_not = "the limit filled completely"
        elif rest < minimum:
            why_not = f"the rest {rest} is below the exchange minimum {minimum}"
        else:
            tag = OrderTag.entry(bracket.signal_id, bracket.strategy_id)
            self._sender.submit(bracket, OrderPurpose.ENTRY, tag, OrderType.MARKET, rest, client_order_id=cid)
            return
        self._sender.withdraw(cid, bracket, f"market entry not sent: {why_not}")


def timer_name(client_order_id: str) -> str:
    return f"{TIMEOUT_PREFIX}{client_order_id}"

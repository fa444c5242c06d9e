"""The life of one order as the exchange reports it, with every transition checked.

    PENDING_NEW ─accepted─▶ NEW ─fill─▶ PARTIALLY_FILLED ─fill─▶ FILLED
        │ rejected            │ cancel requested ─▶ PENDING_CANCEL ─canceled─▶ CANCELED
        ▼                     │ canceled / expired (exchange-side)   │ fill (late, still applied)
     REJECTED                 ▼                                      ▼
                          CANCELED / EXPIRED                 PARTIALLY… stays PENDING_CANCEL, or FILLED

Why a machine and not "status = whatever the last report said": reports are repeated (a reconnect
snapshot replays fills), overtake each other (a fill arrives before the add_order response) and
occasionally contradict each other (an exchange bug, a mixed-up order id). A report that would move
an order backwards or contradict a terminal state is *refused*: returned as an error, logged with
the order's correlation id, and never applied — the in-memory view and the journal keep the last
consistent state, and reconciliation settles the rest. Reports that change nothing (a repeated
acknowledgement, a second cancel request) are *ignored*.

Fills are facts: money moved. A fill is identified by its ``fill_id``; a repeat is ignored and
counted. ``cum_qty`` never exceeds ``qty`` (a fill that would overfill is refused). A fill after a
cancel request is applied (exchanges match the order while the cancel travels); a fill reported
after CANCELED or EXPIRED — only possible when a report is recovered late, e.g. by reconciliation —
is applied too, because the position really changed, and the status stays terminal.

One machine serves the ExecutionHandler (its view of every order) and the write-ahead journal
(which statuses to store), so the database and the handler cannot disagree about what is legal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from galfriday.core.events import (
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    SubmitOrder,
)
from galfriday.core.types import OrderStatus, OrderType, Side

logger = logging.getLogger(__name__)

ZERO = Decimal(0)
OrderEvent = OrderAccepted | OrderRejected | OrderCanceled | OrderExpired | OrderFilled


class Outcome(StrEnum):
    APPLIED = "applied"  # the order changed
    IGNORED = "ignored"  # a repeat or a report that changes nothing (e.g. a duplicate fill)
    REFUSED = "refused"  # illegal: contradicts what is known; nothing was changed


@dataclass(frozen=True, slots=True)
class Transition:
    outcome: Outcome
    status: OrderStatus  # the status after the event
    detail: str = ""  # why it was ignored or refused

    @property
    def applied(self) -> bool:
        return self.outcome is Outcome.APPLIED

    @property
    def refused(self) -> bool:
        return self.outcome is Outcome.REFUSED


@dataclass(slots=True)
class OrderState:
    """What is known about one order; change it only through the methods below."""

    client_order_id: str
    pair: str
    side: Side
    order_type: OrderType
    qty: Decimal
    purpose: str = "entry"
    correlation_id: str = ""
    status: OrderStatus = OrderStatus.PENDING_NEW
    exchange_order_id: str = ""
    cum_qty: Decimal = ZERO
    reason: str = ""  # the exchange's reason for a rejection, cancel or expiry
    fill_ids: set[str] = field(default_factory=set)
    duplicate_fills: int = 0
    late_fills: int = 0  # fills applied after the order was already canceled or expired

    @classmethod
    def from_command(cls, command: SubmitOrder) -> OrderState:
        return cls(
            client_order_id=command.client_order_id,
            pair=command.pair,
            side=command.side,
            order_type=command.order_type,
            qty=command.qty,
            purpose=command.purpose,
            correlation_id=command.correlation_id,
        )

    # -- reads ----------------------------------------------------------------------------------

    @property
    def leaves_qty(self) -> Decimal:
        """What can still fill: zero once the order is terminal."""
        return ZERO if self.status.is_terminal else self.qty - self.cum_qty

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal

    @property
    def is_open(self) -> bool:
        """It may still fill (an order not yet acknowledged included)."""
        return not self.status.is_terminal

    @property
    def cancel_pending(self) -> bool:
        return self.status is OrderStatus.PENDING_CANCEL

    # -- transitions ----------------------------------------------------------------------------

    def apply(self, event: OrderEvent) -> Transition:
        """Apply an exchange report; the result says whether it changed, repeated or contradicted."""
        if isinstance(event, OrderFilled):
            result = self.fill(event.fill_id, event.qty, event.exchange_order_id)
        elif isinstance(event, OrderAccepted):
            result = self.accept(event.exchange_order_id)
        elif isinstance(event, OrderCanceled):
            result = self.end(OrderStatus.CANCELED, event.reason)
        elif isinstance(event, OrderExpired):
            result = self.end(OrderStatus.EXPIRED, "expired")
        else:
            result = self.reject(event.reason)
        if result.refused:
            logger.error(
                "order %s (%s %s): %s refused in status %s: %s; reconcile with the exchange",
                self.client_order_id,
                self.pair,
                self.purpose,
                type(event).__name__,
                self.status,
                result.detail,
                extra={"correlation_id": self.correlation_id},
            )
        return result

    def accept(self, exchange_order_id: str) -> Transition:
        if self.status is OrderStatus.REJECTED:
            return self._refuse("accepted after it was rejected")
        if exchange_order_id and not self.exchange_order_id:
            self.exchange_order_id = exchange_order_id
        elif exchange_order_id and exchange_order_id != self.exchange_order_id:
            return self._refuse(
                f"accepted as {exchange_order_id} but known as {self.exchange_order_id}: two exchange orders"
            )
        if self.status is OrderStatus.PENDING_NEW:
            return self._move(OrderStatus.NEW)
        # It overtook nothing: a fill or our cancel request came first, or the ack is repeated.
        return self._ignore("acknowledgement after the order had moved on")

    def reject(self, reason: str) -> Transition:
        if self.status is OrderStatus.REJECTED:
            return self._ignore("already rejected")
        never_live = not self.exchange_order_id and not self.cum_qty
        if self.status is OrderStatus.PENDING_NEW or (self.cancel_pending and never_live):
            self.reason = reason
            return self._move(OrderStatus.REJECTED)
        return self._refuse(f"rejected ({reason}) after it was {self.status}")

    def request_cancel(self) -> Transition:
        """We asked the venue to cancel it (the answer comes as a report)."""
        if self.cancel_pending or self.is_terminal:
            return self._ignore(f"cancel requested while {self.status}")
        return self._move(OrderStatus.PENDING_CANCEL)

    def end(self, status: OrderStatus, reason: str) -> Transition:
        """The exchange canceled or expired it."""
        if self.status is status:
            return self._ignore(f"already {status}")
        if self.is_terminal:
            return self._refuse(f"{status} ({reason}) after it was {self.status}")
        self.reason = reason
        return self._move(status)

    def fill(self, fill_id: str, qty: Decimal, exchange_order_id: str = "") -> Transition:
        if not fill_id:
            return self._refuse("a fill without a fill id cannot be told from its repeats")
        if fill_id in self.fill_ids:
            self.duplicate_fills += 1
            return self._ignore(f"fill {fill_id} seen before")
        if qty <= 0:
            return self._refuse(f"fill {fill_id} of {qty}: a fill quantity is positive")
        if self.status is OrderStatus.REJECTED:
            return self._refuse(f"fill {fill_id} of an order that was rejected (it never traded)")
        cum = self.cum_qty + qty
        if cum > self.qty:
            return self._refuse(f"fill {fill_id} of {qty} would take cum_qty to {cum} > qty {self.qty}")
        if exchange_order_id and not self.exchange_order_id:
            self.exchange_order_id = exchange_order_id
        self.fill_ids.add(fill_id)
        self.cum_qty = cum
        if self.is_terminal:
            self.late_fills += 1
            logger.warning(
                "order %s: fill %s of %s reported after it was %s; applied",
                self.client_order_id,
                fill_id,
                qty,
                self.status,
                extra={"correlation_id": self.correlation_id},
            )
            return Transition(Outcome.APPLIED, self.status, f"late fill after {self.status}")
        if cum == self.qty:
            return self._move(OrderStatus.FILLED)
        if self.cancel_pending:
            return Transition(Outcome.APPLIED, self.status, "fill while the cancel is on its way")
        return self._move(OrderStatus.PARTIALLY_FILLED)

    # -- helpers --------------------------------------------------------------------------------

    def _move(self, status: OrderStatus) -> Transition:
        self.status = status
        return Transition(Outcome.APPLIED, status)

    def _ignore(self, detail: str) -> Transition:
        return Transition(Outcome.IGNORED, self.status, detail)

    def _refuse(self, detail: str) -> Transition:
        return Transition(Outcome.REFUSED, self.status, detail)

"""The one way orders leave the ExecutionHandler, so the contract holds for every one of them.

For each order, in this order (``portfolio.order_tags`` explains why):
1. the tag is registered (``OrderTagRegistry.register``) — before anything is published;
2. the order's state is created and filed with its bracket — before anything is published, because
   on a SyncBus the venue may answer inside the same dispatch;
3. ``OrderSubmitted`` is published, then the ``SubmitOrder`` command.

An order the handler decides not to send still ends in a terminal event, so nobody waits for it:
``refuse`` (a signal that will not be traded: registered, then ``OrderRejected``) and ``withdraw``
(a registered replacement that turned out unnecessary: ``OrderCanceled``, never sent, so it does
not count as an exchange rejection).

Client order ids are UUID strings (Kraken accepts a UUID as ``cl_ord_id``); the correlation id of
every command and event is the signal id.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from galfriday.core.clock import Clock
from galfriday.core.events import (
    CancelOrder,
    Event,
    OrderCanceled,
    OrderRejected,
    OrderSubmitted,
    SubmitOrder,
)
from galfriday.core.types import OrderType
from galfriday.core.venue import LOCAL_REJECTION_PREFIX
from galfriday.execution.bracket import Bracket
from galfriday.execution.order_state import OrderState
from galfriday.execution.order_store import OrderStore
from galfriday.portfolio.order_tags import OrderPurpose, OrderTag, OrderTagRegistry

Publish = Callable[[Event], None]
IdFactory = Callable[[], str]


class OrderSender:
    def __init__(
        self, clock: Clock, publish: Publish, order_tags: OrderTagRegistry, store: OrderStore, ids: IdFactory
    ) -> None:
        self._clock = clock
        self._publish = publish
        self._tags = order_tags
        self._store = store
        self._ids = ids

    def submit(
        self,
        bracket: Bracket,
        purpose: OrderPurpose,
        tag: OrderTag,
        order_type: OrderType,
        qty: Decimal,
        *,
        limit_price: Decimal | None = None,
        client_order_id: str | None = None,
    ) -> OrderState:
        """Send an order of ``bracket``; ``client_order_id`` is one ``reserve`` registered earlier."""
        cid = client_order_id or self._ids()
        self._tags.register(cid, tag)
        side = bracket.side if purpose is OrderPurpose.ENTRY else bracket.exit_side
        now = self._clock.timestamp_ns()
        command = SubmitOrder(
            ts_event=now,
            ts_init=now,
            correlation_id=bracket.correlation_id,
            client_order_id=cid,
            pair=bracket.pair,
            side=side,
            order_type=order_type,
            qty=qty,
            limit_price=limit_price,
            signal_id=bracket.signal_id,
            purpose=purpose.value,
        )
        order = OrderState.from_command(command)
        bracket.orders.append(order)
        self._store.add(order, bracket)
        self._publish(
            OrderSubmitted(
                ts_event=now,
                ts_init=now,
                correlation_id=bracket.correlation_id,
                client_order_id=cid,
                pair=bracket.pair,
                side=side,
                order_type=order_type,
                qty=qty,
                limit_price=limit_price,
            )
        )
        self._publish(command)
        return order

    def take_over(self, bracket: Bracket, order: OrderState, tag: OrderTag) -> None:
        """File an order an earlier process sent (``execution.takeover``): tagged again, followed."""
        self._tags.register(order.client_order_id, tag)
        bracket.orders.append(order)
        self._store.add(order, bracket)

    def reserve(self, tag: OrderTag) -> str:
        """Register an order that will be sent later (a replacement entry)."""
        cid = self._ids()
        self._tags.register(cid, tag)
        return cid

    def cancel(self, order: OrderState, reason: str) -> None:
        """Ask the venue to cancel ``order`` unless a cancel is already on its way."""
        if not order.request_cancel().applied:
            return
        now = self._clock.timestamp_ns()
        self._publish(
            CancelOrder(
                ts_event=now,
                ts_init=now,
                correlation_id=order.correlation_id,
                client_order_id=order.client_order_id,
                pair=order.pair,
                reason=reason,
            )
        )

    def refuse(self, pair: str, tag: OrderTag, correlation_id: str, reason: str) -> None:
        """An order the handler will not send: registered, then rejected, so the signal ends."""
        cid = self._ids()
        self._tags.register(cid, tag)
        now = self._clock.timestamp_ns()
        self._publish(
            OrderRejected(
                ts_event=now,
                ts_init=now,
                correlation_id=correlation_id,
                client_order_id=cid,
                pair=pair,
                reason=f"{LOCAL_REJECTION_PREFIX}{reason}",
            )
        )

    def withdraw(self, client_order_id: str, bracket: Bracket, reason: str) -> None:
        """End a reserved order that will never be sent."""
        now = self._clock.timestamp_ns()
        self._publish(
            OrderCanceled(
                ts_event=now,
                ts_init=now,
                correlation_id=bracket.correlation_id,
                client_order_id=client_order_id,
                exchange_order_id="",
                pair=bracket.pair,
                reason=f"{LOCAL_REJECTION_PREFIX}{reason}",
            )
        )

"""The write-ahead order journal: an order is on disk before the venue sees it, and every exchange
report is on disk before the rest of the system does (DESIGN §1.6). Live and paper trading.

Wiring (paper: the SimulatedVenue on an AsyncBus; the Kraken venue plugs in the same way)::

    journal = OrderJournal(OrderRepository(db.sessions), FillRepository(db.sessions), bus.publish)
    venue = SimulatedVenue(instruments, account, clock, journal.on_report, config=..., seed=...)
    venue.attach_market_data(bus)
    journal.attach(bus, venue)  # the journal, not the venue, takes the commands

The journal subscribes once to ``Command`` (one queue: a cancel cannot overtake its submit) and
turns every command, and every report the venue hands it, into jobs on one ``WriteBehind`` queue
that runs them strictly in order:
- ``SubmitOrder``: insert the PENDING_NEW row (``OrderRepository.insert_intent``), *then* forward
  the command to the venue (awaited when the venue's ``submit`` is a coroutine). While the
  database is unreachable the queue waits and retries — nothing is sent unrecorded; an intent the
  database refuses for good is not sent, and an ``OrderRejected`` says so. An order whose signal
  row is not written yet (the signal recorder has its own queue) waits for that queue, up to
  ``SIGNAL_WAIT_S``, and is recorded with its ``signal_id`` link: a restart finds the position's
  SL/TP through it. Only a signal that never arrives leaves the order unlinked.
- ``CancelOrder``: record PENDING_CANCEL when the order can still be canceled, then forward it.
- a report: record it — a fill through ``FillRepository.record`` (once per exchange trade id), then
  the status the order state machine (``execution.order_state``, the handler's own) reaches — and
  *then* publish it on the bus. Transitions the machine refuses are not written; a report the
  database refuses for good is logged by the queue and still published (the exchange fact stands).
The bus hands a command over and returns: no trading handler awaits the database.

What a crash leaves on disk, wherever it happens (reconciliation, which reads it, is a later item):
- before the insert: nothing was sent and nothing is recorded — the order never existed;
- after the insert, before or during the send: a PENDING_NEW row — reconciliation asks the
  exchange for that ``cl_ord_id`` and adopts the order or marks it rejected, so it is never sent
  twice and never forgotten;
- after the exchange acted, before its report is recorded: the row is behind the exchange —
  reconciliation records what is missing from the exchange's history, fills by trade id, once;
- after the report is recorded, before it is published: the database is ahead of memory, which is
  rebuilt from it at start.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError

from galfriday.core.crashpoints import crashpoint
from galfriday.core.errors import StorageError
from galfriday.core.events import (
    CancelOrder,
    Command,
    Event,
    OrderAccepted,
    OrderFilled,
    OrderRejected,
    SubmitOrder,
)
from galfriday.core.types import OrderStatus
from galfriday.core.venue import Venue
from galfriday.execution.order_state import OrderEvent, OrderState
from galfriday.storage.db.records import NewFill, NewOrder, OrderRecord
from galfriday.storage.db.repositories import FillRepository, OrderRepository
from galfriday.storage.recorders.write_behind import WriteBehind, as_uuid, utc_datetime

logger = logging.getLogger(__name__)

Publish = Callable[[Event], None]
NOT_RECORDED = "order journal: the intent could not be recorded, so the order was not sent"
SIGNAL_WAIT_S = 2.0  # how long an intent waits for its signal's row before it is recorded unlinked


class OrderJournal:
    def __init__(
        self,
        orders: OrderRepository,
        fills: FillRepository,
        publish: Publish,
        *,
        exchange: str = "kraken",
        retain_finished: int = 10_000,
        signals_written: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """``signals_written``: returns once the signal recorder has written what it was given."""
        self._orders = orders
        self._signals_written = signals_written
        self._fills = fills
        self._publish = publish
        self._exchange = exchange
        self._venue: Venue | None = None
        self.queue = WriteBehind("orders")
        self._states: dict[str, OrderState] = {}
        self._order_pks: dict[str, int] = {}
        self._recorded: set[str] = set()  # event ids of SubmitOrder commands whose intent is on disk
        self._finished: dict[str, None] = {}  # insertion-ordered: oldest first
        self._retain = retain_finished

    def attach(self, bus: Any, venue: Venue) -> None:
        """Take the order commands off ``bus`` and forward them to ``venue`` once recorded."""
        self._venue = venue
        bus.subscribe(Command, self.on_command, name="orders.journal", critical=True)

    def state(self, client_order_id: str) -> OrderState | None:
        """The journal's view of an order (what its row says, once the queue has run)."""
        return self._states.get(client_order_id)

    async def close(self, timeout_s: float = 10.0) -> None:
        await self.queue.close(timeout_s)

    # -- entry points (plain functions: never awaited by the caller) ----------------------------

    def on_command(self, command: Command) -> None:
        if isinstance(command, SubmitOrder):
            self._enqueue(lambda: self._record_intent(command), lambda: self._send(command))
        elif isinstance(command, CancelOrder):
            self._enqueue(lambda: self._record_cancel(command), lambda: self._forward_cancel(command))

    def adopt(
        self,
        client_order_id: str,
        *,
        cum_qty: Decimal,
        fill_ids: Iterable[str] = (),
        correlation_id: str = "",
    ) -> None:
        """Take over an order recorded by an earlier process (reconciliation found it still open
        after a restart), so its reports are stored again. Queued like everything else: it runs
        before any report the venue hands over afterwards."""
        self._enqueue(lambda: self._adopt(client_order_id, cum_qty, frozenset(fill_ids), correlation_id))

    async def _adopt(
        self, client_order_id: str, cum_qty: Decimal, fill_ids: frozenset[str], cid: str
    ) -> None:
        record = await self._orders.get_by_client_order_id(uuid.UUID(client_order_id))
        if record is None:
            logger.error("cannot adopt order %s: it has no row; reconcile", client_order_id)
            return
        self._states[client_order_id] = OrderState(
            client_order_id=client_order_id,
            pair=record.trading_pair,
            side=record.side,
            order_type=record.order_type,
            qty=record.quantity_ordered,
            correlation_id=cid,
            status=record.status,
            exchange_order_id=record.exchange_order_id or "",
            cum_qty=cum_qty,
            fill_ids=set(fill_ids),
        )
        self._order_pks[client_order_id] = record.order_pk

    def on_report(self, event: Event) -> None:
        """The venue's ``publish``: record the report, then publish it."""
        self._enqueue(lambda: self._record_report(event), lambda: self._deliver(event))

    def _enqueue(self, *jobs: Callable[[], Any]) -> None:
        for job in jobs:
            self.queue.submit(job)
        self.queue.start()

    # -- commands -------------------------------------------------------------------------------

    async def _record_intent(self, command: SubmitOrder) -> None:
        try:
            client_order_id = uuid.UUID(command.client_order_id)
        except ValueError:
            logger.error(
                "order %s: client order ids must be UUIDs (the orders table and Kraken's cl_ord_id)",
                command.client_order_id,
                extra={"correlation_id": command.correlation_id},
            )
            return
        intent = NewOrder(
            client_order_id=client_order_id,
            signal_id=as_uuid(command.signal_id),
            trading_pair=command.pair,
            exchange=self._exchange,
            side=command.side,
            order_type=command.order_type,
            quantity_ordered=command.qty,
            limit_price=command.limit_price,
            stop_price=command.trigger_price,
            created_at=utc_datetime(command.ts_event),
        )
        try:
            record = await self._orders.insert_intent(intent)
        except StorageError as exc:
            if intent.signal_id is None or not isinstance(exc.__cause__, IntegrityError):
                raise
            record = await self._insert_once_signal_written(intent, exc, command)
        self._states[command.client_order_id] = OrderState.from_command(command)
        self._order_pks[command.client_order_id] = record.order_pk
        self._recorded.add(command.event_id)

    async def _insert_once_signal_written(
        self, intent: NewOrder, refused: StorageError, command: SubmitOrder
    ) -> OrderRecord:
        """The signal's row is not there yet: wait for the signal recorder, then link; unlinked only
        if it never comes (the signal id still travels on the events and the order tags)."""
        if self._signals_written is not None:
            try:
                await asyncio.wait_for(self._signals_written(), SIGNAL_WAIT_S)
                return await self._orders.insert_intent(intent)
            except TimeoutError:
                pass
            except StorageError as exc:
                if not isinstance(exc.__cause__, IntegrityError):
                    raise  # the database, not the link: the queue retries the whole intent
                refused = exc
        logger.warning(
            "order %s: %s; signal %s is not recorded: recording the order without the link",
            command.client_order_id,
            refused,
            command.signal_id,
            extra={"correlation_id": command.correlation_id},
        )
        return await self._orders.insert_intent(dataclasses.replace(intent, signal_id=None))

    async def _send(self, command: SubmitOrder) -> None:
        if command.event_id not in self._recorded:
            self._publish(
                OrderRejected(
                    ts_event=command.ts_event,
                    ts_init=command.ts_init,
                    correlation_id=command.correlation_id,
                    client_order_id=command.client_order_id,
                    pair=command.pair,
                    reason=NOT_RECORDED,
                )
            )
            return
        self._recorded.discard(command.event_id)
        crashpoint("journal.intent_recorded")
        await self._forward(self._venue_or_fail().submit(command))
        if command.purpose == "take_profit":
            crashpoint("journal.take_profit_placed")

    async def _record_cancel(self, command: CancelOrder) -> None:
        state = self._states.get(command.client_order_id)
        if state is None or not state.request_cancel().applied:
            return  # unknown here, already ended or already being canceled: nothing to record
        await self._orders.update(
            uuid.UUID(command.client_order_id),
            status=OrderStatus.PENDING_CANCEL,
            at=utc_datetime(command.ts_event),
        )

    async def _forward_cancel(self, command: CancelOrder) -> None:
        await self._forward(self._venue_or_fail().cancel(command))

    async def _forward(self, sent: Any) -> None:
        if inspect.isawaitable(sent):
            await sent

    def _venue_or_fail(self) -> Venue:
        if self._venue is None:
            raise RuntimeError("OrderJournal has no venue: call attach(bus, venue) before trading")
        return self._venue

    # -- reports --------------------------------------------------------------------------------

    async def _record_report(self, event: Event) -> None:
        cid = getattr(event, "client_order_id", "")
        state = self._states.get(cid)
        if state is None or not isinstance(event, OrderEvent):
            logger.warning(
                "%s for order %s, which this journal did not record: published, not stored; reconcile",
                type(event).__name__,
                cid,
                extra={"correlation_id": event.correlation_id},
            )
            return
        before = state.status
        if not state.apply(event).applied:
            return
        unrecorded, recorded = _crash_points(event)
        crashpoint(unrecorded)
        at = utc_datetime(event.ts_event)
        if isinstance(event, OrderFilled):
            await self._fills.record(self._new_fill(event, self._order_pks[cid]))
        if state.status is not before or isinstance(event, OrderAccepted):
            await self._orders.update(
                uuid.UUID(cid),
                status=state.status,
                at=at,
                exchange_order_id=state.exchange_order_id or None,
                error_message=state.reason or None,
                submitted_at=at if isinstance(event, OrderAccepted) else None,
            )
        crashpoint(recorded)
        if state.is_terminal:
            self._forget_later(cid)

    async def _deliver(self, event: Event) -> None:
        self._publish(event)

    def _new_fill(self, event: OrderFilled, order_pk: int) -> NewFill:
        return NewFill(
            fill_id=event.fill_id,
            order_pk=order_pk,
            exchange_order_id=event.exchange_order_id or None,
            trading_pair=event.pair,
            exchange=self._exchange,
            side=event.side,
            quantity_filled=event.qty,
            fill_price=event.price,
            commission=event.fee,
            commission_asset=event.fee_currency,
            liquidity_type=event.liquidity,
            filled_at=utc_datetime(event.ts_event),
        )

    def _forget_later(self, client_order_id: str) -> None:
        """Keep the most recent finished orders (a repeated report must still find its row)."""
        self._finished[client_order_id] = None
        if len(self._finished) > self._retain:
            oldest = next(iter(self._finished))
            del self._finished[oldest]
            self._states.pop(oldest, None)
            self._order_pks.pop(oldest, None)


def _crash_points(event: Event) -> tuple[str, str]:
    """The crash points (``core.crashpoints``) before and after ``event`` is recorded."""
    if isinstance(event, OrderAccepted):
        return "journal.ack_unrecorded", "journal.ack_recorded"
    if isinstance(event, OrderFilled) and event.leaves_qty > 0:
        return "journal.partial_fill_unrecorded", "journal.partial_fill_recorded"
    return "", ""

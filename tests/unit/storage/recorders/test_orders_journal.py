"""The write-ahead order journal on SQLite: intents before the venue, reports before the bus."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from galfriday.core.bus import AsyncBus
from galfriday.core.events import (
    CancelOrder,
    Event,
    OrderAccepted,
    OrderCanceled,
    OrderFilled,
    OrderRejected,
    SubmitOrder,
    new_id,
)
from galfriday.core.types import LiquiditySide, OrderStatus, OrderType, Side
from galfriday.storage.db.database import Database, open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.storage.db.records import FillInsert, NewFill, NewOrder, OrderRecord
from galfriday.storage.db.repositories import FillRepository, OrderRepository
from galfriday.storage.recorders.orders import NOT_RECORDED, OrderJournal

T0 = 1_715_000_000_000_000_000
D = Decimal


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[Database]:
    await upgrade(sqlite_url)
    database = await open_database(sqlite_url)
    yield database
    await database.close()


Trace = list[tuple[str, str]]


class TracingOrders(OrderRepository):
    """Notes each committed write in the trace the venue and the bus also write to."""

    def __init__(self, database: Database, trace: Trace) -> None:
        super().__init__(database.sessions)
        self._trace = trace

    async def insert_intent(self, order: NewOrder) -> OrderRecord:
        record = await super().insert_intent(order)
        self._trace.append(("insert", str(order.client_order_id)))
        return record

    async def update(self, client_order_id: uuid.UUID, **changes: Any) -> OrderRecord:
        record = await super().update(client_order_id, **changes)
        self._trace.append((f"store {changes['status']}", str(client_order_id)))
        return record


class TracingFills(FillRepository):
    def __init__(self, database: Database, trace: Trace) -> None:
        super().__init__(database.sessions)
        self._trace = trace

    async def record(self, fill: NewFill) -> FillInsert:
        outcome = await super().record(fill)
        self._trace.append(("store fill", fill.fill_id))
        return outcome


class CheckingVenue:
    """A network-like venue (async submit) that reads the order's row when the order reaches it."""

    def __init__(self, orders: OrderRepository, trace: Trace) -> None:
        self._orders = orders
        self._trace = trace
        self.seen: list[tuple[str, OrderStatus | None]] = []

    async def submit(self, command: SubmitOrder) -> None:
        self._trace.append(("venue submit", command.client_order_id))
        row = await self._orders.get_by_client_order_id(uuid.UUID(command.client_order_id))
        self.seen.append((command.client_order_id, None if row is None else row.status))

    def cancel(self, command: CancelOrder) -> None:
        self._trace.append(("venue cancel", command.client_order_id))

    def attach(self, bus: object) -> None:
        raise AssertionError("the journal takes the commands, not the venue")


class Session:
    def __init__(self, database: Database) -> None:
        self.trace: Trace = []
        self.orders = TracingOrders(database, self.trace)
        self.fills = TracingFills(database, self.trace)
        self.bus = AsyncBus()
        self.journal = OrderJournal(self.orders, self.fills, self._publish)
        self.venue = CheckingVenue(self.orders, self.trace)
        self.journal.attach(self.bus, self.venue)
        self.published: list[Event] = []

    def _publish(self, event: Event) -> None:
        label = event.fill_id if isinstance(event, OrderFilled) else getattr(event, "client_order_id", "")
        self.trace.append((f"publish {type(event).__name__}", label))
        self.published.append(event)
        self.bus.publish(event)

    async def settle(self) -> None:
        await asyncio.sleep(0.01)  # the bus hands the commands to the journal
        await self.journal.queue.flush()

    def submit(self, cid: str, qty: str = "100", **kw: Any) -> SubmitOrder:
        command = SubmitOrder(
            ts_event=T0,
            ts_init=T0,
            correlation_id="s",
            client_order_id=cid,
            pair="XRP/USD",
            side=Side.BUY,
            order_type=OrderType.LIMIT,
            qty=D(qty),
            limit_price=D("0.50000"),
            **kw,
        )
        self.bus.publish(command)
        return command

    def report(self, event: Event) -> None:
        self.journal.on_report(event)


def accepted(cid: str) -> OrderAccepted:
    return OrderAccepted(
        ts_event=T0 + 1, ts_init=T0 + 1, client_order_id=cid, exchange_order_id=f"O-{cid[:8]}", pair="XRP/USD"
    )


def canceled(cid: str) -> OrderCanceled:
    return OrderCanceled(
        ts_event=T0 + 3,
        ts_init=T0 + 3,
        client_order_id=cid,
        exchange_order_id="O",
        pair="XRP/USD",
        reason="User requested",
    )


def filled(cid: str, fill_id: str, qty: str, leaves: str) -> OrderFilled:
    return OrderFilled(
        ts_event=T0 + 2,
        ts_init=T0 + 2,
        client_order_id=cid,
        exchange_order_id=f"O-{cid[:8]}",
        fill_id=fill_id,
        pair="XRP/USD",
        side=Side.BUY,
        qty=D(qty),
        price=D("0.50000"),
        fee=D("0.01"),
        fee_currency="USD",
        liquidity=LiquiditySide.MAKER,
        cum_qty=D(100) - D(leaves),
        leaves_qty=D(leaves),
    )


async def test_the_intent_is_on_disk_before_the_venue_and_reports_before_the_bus(database: Database) -> None:
    s = Session(database)
    await s.bus.start()
    try:
        cid = new_id()
        s.submit(cid)
        await s.settle()
        s.report(accepted(cid))
        s.report(filled(cid, "T-1", "40", "60"))
        s.report(filled(cid, "T-1", "40", "60"))  # repeated after a reconnect
        s.report(filled(cid, "T-2", "60", "0"))
        await s.settle()
    finally:
        await s.bus.stop()
        await s.journal.close()
    assert s.venue.seen == [(cid, OrderStatus.PENDING_NEW)]  # the row was there when the venue looked
    assert s.trace == [
        ("insert", cid),
        ("venue submit", cid),
        ("store NEW", cid),
        ("publish OrderAccepted", cid),
        ("store fill", "T-1"),
        ("store PARTIALLY_FILLED", cid),
        ("publish OrderFilled", "T-1"),
        ("publish OrderFilled", "T-1"),  # the repeat is passed on (consumers dedupe) but not stored
        ("store fill", "T-2"),
        ("store FILLED", cid),
        ("publish OrderFilled", "T-2"),
    ]
    row = await s.orders.get_by_client_order_id(uuid.UUID(cid))
    assert row is not None and row.status is OrderStatus.FILLED and row.submitted_at is not None
    assert row.exchange_order_id == f"O-{cid[:8]}"
    assert [f.fill_id for f in await s.fills.list_by_order(row.order_pk)] == ["T-1", "T-2"]


async def test_a_cancel_is_recorded_pending_then_forwarded_behind_its_submit(database: Database) -> None:
    s = Session(database)
    await s.bus.start()
    try:
        cid = new_id()
        s.submit(cid)
        s.bus.publish(CancelOrder(ts_event=T0, ts_init=T0, client_order_id=cid, pair="XRP/USD"))
        await s.settle()
        s.report(accepted(cid))  # the acknowledgement arrives after the cancel request
        s.report(canceled(cid))
        s.report(filled(cid, "T-9", "30", "0"))  # recovered late: applied, the status stays CANCELED
        await s.settle()
    finally:
        await s.bus.stop()
        await s.journal.close()
    assert s.trace[:4] == [
        ("insert", cid),
        ("venue submit", cid),
        ("store PENDING_CANCEL", cid),
        ("venue cancel", cid),
    ]
    row = await s.orders.get_by_client_order_id(uuid.UUID(cid))
    assert row is not None and row.status is OrderStatus.CANCELED and row.error_message == "User requested"
    assert [f.fill_id for f in await s.fills.list_by_order(row.order_pk)] == ["T-9"]


async def test_a_contradicting_report_is_passed_on_but_not_written(database: Database) -> None:
    s = Session(database)
    await s.bus.start()
    try:
        cid = new_id()
        s.submit(cid)
        await s.settle()
        s.report(accepted(cid))
        s.report(filled(cid, "T-1", "100", "0"))
        s.report(canceled(cid))  # an order cannot be both filled and canceled
        await s.settle()
    finally:
        await s.bus.stop()
        await s.journal.close()
    assert s.trace[-2:] == [("publish OrderFilled", "T-1"), ("publish OrderCanceled", cid)]
    row = await s.orders.get_by_client_order_id(uuid.UUID(cid))
    assert row is not None and row.status is OrderStatus.FILLED
    view = s.journal.state(cid)
    assert view is not None and view.status is OrderStatus.FILLED


async def test_an_intent_that_cannot_be_recorded_is_not_sent(database: Database) -> None:
    s = Session(database)
    await s.bus.start()
    try:
        cid = new_id()
        s.submit(cid)
        s.submit(cid)  # the same client order id again: the database refuses the second intent
        s.submit("not-a-uuid")
        await s.settle()
    finally:
        await s.bus.stop()
        await s.journal.close()
    assert s.venue.seen == [(cid, OrderStatus.PENDING_NEW)]
    rejected = [(e.client_order_id, e.reason) for e in s.published if isinstance(e, OrderRejected)]
    assert rejected == [(cid, NOT_RECORDED), ("not-a-uuid", NOT_RECORDED)]


async def test_an_order_whose_signal_row_is_not_there_yet_is_recorded_without_the_link(
    database: Database,
) -> None:
    s = Session(database)
    await s.bus.start()
    try:
        cid = new_id()
        s.submit(cid, signal_id=new_id())
        await s.settle()
    finally:
        await s.bus.stop()
        await s.journal.close()
    row = await s.orders.get_by_client_order_id(uuid.UUID(cid))
    assert row is not None and row.signal_id is None and s.venue.seen == [(cid, OrderStatus.PENDING_NEW)]


async def test_after_a_restart_an_adopted_order_has_its_reports_stored_again(database: Database) -> None:
    """Process 1 records and sends an order that partly fills; process 2 (a new journal, as after a
    crash) adopts it from reconciliation and stores the rest of its life."""
    first = Session(database)
    await first.bus.start()
    cid = new_id()
    try:
        first.submit(cid)
        await first.settle()
        first.report(accepted(cid))
        first.report(filled(cid, "T-1", "40", "60"))
        await first.settle()
    finally:
        await first.bus.stop()
        await first.journal.close()

    second = Session(database)
    await second.bus.start()
    try:
        second.report(filled(cid, "T-0", "1", "59"))  # before adoption: not this journal's order
        await second.settle()
        second.journal.adopt(cid, cum_qty=D("40"), fill_ids=["T-1"], correlation_id="s")
        second.report(filled(cid, "T-1", "40", "60"))  # already stored by process 1: ignored
        second.report(filled(cid, "T-2", "60", "0"))
        await second.settle()
    finally:
        await second.bus.stop()
        await second.journal.close()
    row = await second.orders.get_by_client_order_id(uuid.UUID(cid))
    assert row is not None and row.status is OrderStatus.FILLED
    assert [f.fill_id for f in await second.fills.list_by_order(row.order_pk)] == ["T-1", "T-2"]

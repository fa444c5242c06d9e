"""An order's row links its signal even when the signal recorder's queue is behind the journal's.

The crash campaign found orders recorded without their ``signal_id`` (SQLite's foreign key refused
the link because the signal row was still queued): after a restart nothing led from the position
to its SL/TP. The journal now waits for the signal recorder before recording the order unlinked.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from galfriday.core.bus import AsyncBus
from galfriday.core.events import SignalProposed, SubmitOrder, new_id
from galfriday.core.types import OrderStatus, OrderType, Side
from galfriday.storage.db.database import Database, open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.storage.db.repositories import FillRepository, OrderRepository, SignalRepository
from galfriday.storage.recorders.orders import OrderJournal
from galfriday.storage.recorders.signals import SignalRecorder

T0 = 1_715_000_000_000_000_000
D = Decimal


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[Database]:
    await upgrade(sqlite_url)
    database = await open_database(sqlite_url)
    yield database
    await database.close()


class Venue:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def submit(self, command: SubmitOrder) -> None:
        self.sent.append(command.client_order_id)

    def cancel(self, command: object) -> None:
        return None


async def test_an_order_waits_for_its_signal_row_and_is_recorded_with_the_link(database: Database) -> None:
    signals = SignalRecorder(SignalRepository(database.sessions))
    orders = OrderRepository(database.sessions)
    bus = AsyncBus()
    journal = OrderJournal(
        orders, FillRepository(database.sessions), bus.publish, signals_written=signals.queue.flush
    )
    venue = Venue()
    journal.attach(bus, venue)
    await bus.start()
    signal_id, cid = new_id(), new_id()
    # The proposal is queued with the signal recorder, which has not written it yet.
    signals.on_proposed(
        SignalProposed(
            ts_event=T0,
            ts_init=T0,
            signal_id=signal_id,
            pair="XRP/USD",
            strategy_id="test",
            side=Side.BUY,
            entry_type=OrderType.LIMIT,
            entry_price=D("0.50000"),
            sl_price=D("0.49000"),
            tp_price=D("0.52000"),
        )
    )
    bus.publish(
        SubmitOrder(
            ts_event=T0,
            ts_init=T0,
            correlation_id=signal_id,
            client_order_id=cid,
            pair="XRP/USD",
            side=Side.BUY,
            order_type=OrderType.LIMIT,
            qty=D(100),
            limit_price=D("0.50000"),
            signal_id=signal_id,
        )
    )
    try:
        await asyncio.sleep(0.01)
        await journal.queue.flush()
    finally:
        await bus.stop()
        await journal.close()
        await signals.queue.close()
    row = await orders.get_by_client_order_id(uuid.UUID(cid))
    assert row is not None and row.status is OrderStatus.PENDING_NEW
    assert str(row.signal_id) == signal_id
    assert venue.sent == [cid]

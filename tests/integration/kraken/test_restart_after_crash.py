"""What the crash campaign found at the seam between reconciliation and the venue, each set up as the
killed process left it, against the exchange simulator over real sockets.

- An intent the dead process recorded but never sent stayed PENDING_NEW after the restart (the
  start run left any intent younger than ``pending_grace_s`` alone, the next run came an hour
  later): the start now judges it once AddOrder's deadline has passed.
- Reports the stream delivered for an order between reconciliation reading Kraken and handing the
  order over (``track``) were dropped as "not ours": a fill was lost and the start refused on a
  balance mismatch. The venue now keeps them and applies them when the order is handed over.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from galfriday.core.events import OrderFilled, OrderRejected, new_id
from galfriday.core.types import OrderStatus, OrderType, Side
from galfriday.execution.reconcile_report import ReconcileOptions
from galfriday.kraken.orders_wire import AddOrderRequest
from galfriday.kraken.venue_orders import TrackedOrder
from galfriday.sim.server import ExchangeSimulator
from galfriday.storage.db.database import Database
from galfriday.storage.db.records import NewOrder, OrderRecord
from galfriday.storage.recorders.write_behind import utc_datetime
from tests.integration.kraken._desk import INSTRUMENTS, LiveDesk

XRP = INSTRUMENTS["XRP/USD"]


async def _intent(desk: LiveDesk, *, age_s: float) -> OrderRecord:
    """A PENDING_NEW row as the journal writes it just before sending."""
    return await desk.orders.insert_intent(
        NewOrder(
            client_order_id=uuid.UUID(new_id()),
            signal_id=None,
            trading_pair="XRP/USD",
            exchange="kraken",
            side=Side.BUY,
            order_type=OrderType.LIMIT,
            quantity_ordered=Decimal(50),
            limit_price=Decimal("0.40000"),
            created_at=utc_datetime(desk.clock.timestamp_ns()) - timedelta(seconds=age_s),
        )
    )


async def test_at_start_a_young_intent_of_the_dead_process_is_judged_after_the_deadline(
    sim: ExchangeSimulator, database: Database
) -> None:
    options = ReconcileOptions(balance_settle_s=0.2, pending_grace_s=30.0, start_settle_s=0.5)
    desk = LiveDesk(sim, database, options=options)
    await desk.bus.start()
    try:
        young = await _intent(desk, age_s=0)
        report = await desk.reconciler.reconcile_at_start()
        await desk.settled()
        after = await desk.orders.get_by_client_order_id(young.client_order_id)
    finally:
        await desk.close()
    assert report.ok
    assert after is not None and after.status is OrderStatus.REJECTED  # was: still PENDING_NEW
    assert [e.client_order_id for e in desk.of(OrderRejected)] == [str(young.client_order_id)]


async def test_fills_the_stream_brought_before_an_order_was_handed_over_are_applied_then(
    sim: ExchangeSimulator, database: Database
) -> None:
    desk = await LiveDesk(sim, database).start()
    try:
        cid = new_id()
        placed = await desk.client.add_order(  # the dead process's order, filling while nobody follows it
            AddOrderRequest(
                instrument=XRP, side=Side.BUY, order_type=OrderType.MARKET, qty=Decimal(60), cl_ord_id=cid
            )
        )
        assert placed.txid is not None
        await desk.until(lambda: desk.venue.untracked_reports >= 2)
        assert desk.of(OrderFilled) == []
        desk.venue.track(
            TrackedOrder(
                client_order_id=cid, pair="XRP/USD", side=Side.BUY, qty=Decimal(60), txid=placed.txid
            )
        )
        await desk.settled()
    finally:
        await desk.close()
    fills = desk.of(OrderFilled, cid)
    assert fills and sum((f.qty for f in fills), Decimal(0)) == Decimal(60)  # was: none, ever
    assert len({f.fill_id for f in fills}) == len(fills)

"""Reconciliation at start and during operation, each scenario set up precisely in the database
and on the simulated exchange as a crash (or a stranger) would have left them."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from galfriday.core.events import OrderAccepted, OrderFilled, OrderRejected, new_id
from galfriday.core.types import OrderStatus, OrderType, Side
from galfriday.core.venue import is_local_rejection
from galfriday.execution.reconcile_balances import ledger_holdings
from galfriday.execution.reconcile_report import (
    ReconcileOptions,
    ReconciliationMismatchError,
    ReconciliationReport,
)
from galfriday.kraken.orders_wire import AddOrderRequest
from galfriday.sim.server import ExchangeSimulator
from galfriday.sim.server.faults import parse_faults
from galfriday.storage.db.database import Database
from galfriday.storage.db.records import NewOrder, OrderRecord
from galfriday.storage.db.records_reconciliation import DiscrepancyKind as Kind
from galfriday.storage.db.records_reconciliation import RunStatus
from galfriday.storage.recorders.write_behind import utc_datetime
from tests.integration.kraken._desk import ACCOUNT, INSTRUMENTS, LiveDesk, account_ledger

XRP = INSTRUMENTS["XRP/USD"]


async def intent(
    desk: LiveDesk, side: Side, qty: Decimal, price: Decimal | None, *, age_s: float = 60
) -> OrderRecord:
    """A PENDING_NEW row as the journal writes it before sending, ``age_s`` ago."""
    created = utc_datetime(desk.clock.timestamp_ns()) - timedelta(seconds=age_s)
    return await desk.orders.insert_intent(
        NewOrder(
            client_order_id=uuid.UUID(new_id()),
            signal_id=None,
            trading_pair="XRP/USD",
            exchange="kraken",
            side=side,
            order_type=OrderType.LIMIT if price is not None else OrderType.MARKET,
            quantity_ordered=qty,
            limit_price=price,
            created_at=created,
        )
    )


async def place(
    desk: LiveDesk,
    record: OrderRecord | None,
    qty: Decimal,
    price: Decimal | None,
    cl_ord_id: str | None = None,
) -> str:
    """Put the order on the exchange directly, as the crashed process (or a stranger) did."""
    result = await desk.client.add_order(
        AddOrderRequest(
            instrument=XRP,
            side=Side.BUY,
            order_type=OrderType.LIMIT if price is not None else OrderType.MARKET,
            qty=qty,
            limit_price=price,
            cl_ord_id=str(record.client_order_id) if record is not None else cl_ord_id,
        )
    )
    assert result.txid is not None
    return result.txid


async def recorded(desk: LiveDesk, report: ReconciliationReport) -> list[tuple[Kind, bool, str | None]]:
    """What the reconciliation journal holds for the run; it must equal the report."""
    rows = await desk.runs.events(report.run_id)
    found = [(r.kind, r.resolved, r.client_order_id) for r in rows]
    assert found == [(d.kind, d.resolved, d.client_order_id) for d in report.discrepancies]
    run = await desk.runs.last_run()
    assert run is not None and run.run_id == report.run_id and run.status is report.status
    assert run.unresolved == len(report.unresolved) and run.counts == report.counts
    return found


async def test_an_intent_that_never_left_is_rejected_locally(
    sim: ExchangeSimulator, database: Database
) -> None:
    desk = LiveDesk(sim, database)
    await desk.bus.start()
    try:
        row = await intent(desk, Side.BUY, Decimal(50), Decimal("0.40000"))
        young = await intent(desk, Side.BUY, Decimal(50), Decimal("0.40000"), age_s=0)  # may be in flight
        report = await desk.reconciler.reconcile_during_operation()  # at start: test_restart_takeover
        await desk.settled()
        after = await desk.orders.get_by_client_order_id(row.client_order_id)
        still = await desk.orders.get_by_client_order_id(young.client_order_id)
        found = await recorded(desk, report)
    finally:
        await desk.close()
    cid = str(row.client_order_id)
    assert found == [(Kind.INTENT_NOT_PLACED, True, cid)]
    assert after is not None and after.status is OrderStatus.REJECTED
    assert still is not None and still.status is OrderStatus.PENDING_NEW
    (rejected,) = desk.of(OrderRejected, cid)
    assert is_local_rejection(rejected.reason)  # our crash, not Kraken's refusal: no API error
    assert not sim.exchange.accounts[ACCOUNT.api_key].ledger.by_txid


async def test_orders_filled_while_we_were_down_are_caught_up(
    sim: ExchangeSimulator, database: Database
) -> None:
    desk = LiveDesk(sim, database)
    await desk.bus.start()
    try:
        # Crash 1: after the send, before the acknowledgement was recorded. It filled completely.
        sent = await intent(desk, Side.BUY, Decimal(150), None)
        await place(desk, sent, Decimal(150), None)
        # Crash 2: acknowledged and recorded NEW, then part filled while we were down; still open.
        _, ask = desk.best()
        qty = XRP.round_qty(desk.top_ask_qty() * 40)  # far more than trades can fill meanwhile
        acked = await intent(desk, Side.BUY, qty, ask)
        txid = await place(desk, acked, qty, ask)
        await desk.orders.update(
            acked.client_order_id, status=OrderStatus.NEW, at=acked.created_at, exchange_order_id=txid
        )
        account = desk.account
        await desk.until(lambda: account.ledger.by_txid[txid].vol_exec > 0 and len(account.ledger.fills) >= 2)
        report = await desk.reconciler.reconcile_at_start()
        await desk.settled()
        rows = [await desk.orders.get_by_client_order_id(r.client_order_id) for r in (sent, acked)]
        fills = {f.fill_id for r in rows if r is not None for f in await desk.fills.list_by_order(r.order_pk)}
        found = await recorded(desk, report)
        holdings = ledger_holdings(desk.portfolio.ledger, INSTRUMENTS)
    finally:
        await desk.close()
    assert report.ok, report.summary()
    kinds = {kind for kind, _, _ in found}
    assert kinds == {Kind.INTENT_PLACED, Kind.MISSING_FILL, Kind.CLOSED_ON_EXCHANGE}
    assert rows[0] is not None and rows[0].status is OrderStatus.FILLED
    assert rows[1] is not None and rows[1].status is OrderStatus.PARTIALLY_FILLED
    assert fills == {f.txid for f in account.ledger.fills}
    assert {f.fill_id for f in desk.of(OrderFilled)} == fills  # published: the portfolio caught up
    assert len(desk.of(OrderAccepted, str(sent.client_order_id))) == 1
    balances = account.account.balances()
    assert all(abs(holdings[a] - balances.get(a, Decimal(0))) < Decimal("0.0001") for a in holdings)
    assert desk.venue.stats()["live_orders"] == 1  # the open one is handed to the venue to follow


async def test_an_exchange_order_with_our_id_is_adopted(sim: ExchangeSimulator, database: Database) -> None:
    desk = LiveDesk(sim, database)
    await desk.bus.start()
    try:
        bid, _ = desk.best()
        low = XRP.round_price(bid * Decimal("0.9"))
        row = await intent(desk, Side.BUY, Decimal(40), low)
        await desk.orders.update(
            row.client_order_id,
            status=OrderStatus.REJECTED,
            at=row.created_at,
            error_message="kraken: order not placed",
        )
        txid = await place(desk, row, Decimal(40), low)
        report = await desk.reconciler.reconcile_at_start()
        await desk.settled()
        after = await desk.orders.get_by_client_order_id(row.client_order_id)
        found = await recorded(desk, report)
    finally:
        await desk.close()
    cid = str(row.client_order_id)
    assert found == [(Kind.ORPHAN_ADOPTED, True, cid)]
    assert after is not None and (after.status, after.exchange_order_id) == (OrderStatus.NEW, txid)
    assert after.error_message == "adopted by reconciliation; it was REJECTED (kraken: order not placed)"
    assert [e.exchange_order_id for e in desk.of(OrderAccepted, cid)] == [txid]
    assert desk.venue.stats()["live_orders"] == 1


async def test_a_foreign_order_is_flagged_and_refuses_the_start(
    sim: ExchangeSimulator, database: Database
) -> None:
    desk = LiveDesk(sim, database)
    await desk.bus.start()
    try:
        bid, _ = desk.best()
        txid = await place(
            desk, None, Decimal(40), XRP.round_price(bid * Decimal("0.9")), cl_ord_id="manual-1"
        )
        with pytest.raises(ReconciliationMismatchError, match="orphan_foreign") as refused:
            await desk.reconciler.reconcile_at_start()
        found = await recorded(desk, refused.value.report)
        still_open = [o.txid for o in await desk.client.open_orders()]
    finally:
        await desk.close()
    assert found == [(Kind.ORPHAN_FOREIGN, False, "manual-1")]
    assert refused.value.report.status is RunStatus.MISMATCH and still_open == [txid]


async def test_a_foreign_order_is_canceled_when_configured(
    sim: ExchangeSimulator, database: Database
) -> None:
    desk = LiveDesk(sim, database, options=ReconcileOptions(foreign_orders="cancel", balance_settle_s=0.2))
    await desk.bus.start()
    try:
        bid, _ = desk.best()
        await place(desk, None, Decimal(40), XRP.round_price(bid * Decimal("0.9")), cl_ord_id="manual-2")
        report = await desk.reconciler.reconcile_at_start()
        found = await recorded(desk, report)
        still_open = await desk.client.open_orders()
    finally:
        await desk.close()
    assert found == [(Kind.ORPHAN_FOREIGN, True, "manual-2")] and still_open == ()


async def test_a_balance_mismatch_refuses_the_start_and_halts_during_operation(
    sim: ExchangeSimulator, database: Database
) -> None:
    desk = LiveDesk(sim, database, ledger=account_ledger({"USD": Decimal(99_000), "XRP": Decimal(0)}))
    await desk.bus.start()
    try:
        with pytest.raises(
            ReconciliationMismatchError, match="USD: the ledger says 99000, Kraken 100000"
        ) as refused:
            await desk.reconciler.reconcile_at_start()
        start_found = await recorded(desk, refused.value.report)
        assert not desk.halt.is_halted  # at start nothing runs yet: the runtime stays out of RUNNING
        periodic = await desk.reconciler.reconcile_during_operation()
        periodic_found = await recorded(desk, periodic)
        stored = await desk.runs.events(periodic.run_id)
    finally:
        await desk.close()
    assert start_found == periodic_found == [(Kind.BALANCE_MISMATCH, False, None)]
    (mismatch,) = periodic.unresolved
    assert mismatch.local_value == {"asset": "USD", "balance": Decimal(99_000)}
    assert mismatch.exchange_value == {"asset": "USD", "balance": Decimal(100_000)}
    assert stored[0].local_value == {"asset": "USD", "balance": "99000"}  # JSON keeps Decimals as text
    record = desk.halt.current
    assert record is not None and record.trigger == "reconciliation" and "balance_mismatch" in record.reason


async def test_an_unreadable_exchange_verifies_nothing_and_refuses_the_start(
    sim: ExchangeSimulator, database: Database
) -> None:
    sim.exchange.faults.add(
        parse_faults('{"kind": "rest_error", "method": "OpenOrders", "error": "EService:Unavailable"}')
    )
    desk = LiveDesk(sim, database)
    await desk.bus.start()
    try:
        with pytest.raises(ReconciliationMismatchError) as refused:
            await desk.reconciler.reconcile_at_start()
        found = await recorded(desk, refused.value.report)
    finally:
        await desk.close()
    assert found == [(Kind.READ_FAILED, False, None)]
    assert refused.value.report.status is RunStatus.FAILED

"""Reconciler decisions on SQLite against a scripted Kraken account: the cases a simulator run
does not reach easily (an order Kraken forgot, one id on two orders, fills older than the
window, a failed read) and the run's bookkeeping (window, journal, report, periodic HALT).

Scenarios on the real simulator over sockets: tests/integration/kraken/test_reconciliation_scenarios.py.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from galfriday.config.sections.risk import PortfolioSettings
from galfriday.core.clock import SimClock
from galfriday.core.events import Event, OrderAccepted, OrderFilled, new_id
from galfriday.core.instruments import default_instruments
from galfriday.core.types import LiquiditySide, OrderStatus, OrderType, Side
from galfriday.execution.reconcile_report import (
    ReconcileOptions,
    ReconciliationMismatchError,
)
from galfriday.execution.reconciliation import Reconciler
from galfriday.kraken.orders_wire import (
    ClosedOrdersPage,
    KrakenOrder,
    KrakenTrade,
    TradesHistoryPage,
    parse_order,
    parse_trade,
)
from galfriday.kraken.rest_private import KrakenOrderRejectedError
from galfriday.kraken.rest_public import KrakenError
from galfriday.portfolio.ledger import Ledger
from galfriday.storage.db.database import Database, open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.storage.db.records import NewFill, NewOrder, OrderRecord
from galfriday.storage.db.records_reconciliation import DiscrepancyKind as Kind
from galfriday.storage.db.records_reconciliation import ReconciliationRun, RunStatus, RunTrigger
from galfriday.storage.db.repositories import FillRepository, OrderRepository, ReconciliationRepository
from galfriday.storage.recorders.write_behind import utc_datetime

NOW = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z
NOW_S = NOW // 1_000_000_000
HOUR_S = 3600
BALANCES = {"ZUSD": Decimal(1000), "XXRP": Decimal(0), "XXDG": Decimal(0)}


class FakeAccount:
    """Kraken's answers from lists of orders and fills, paged 50 at a time like Kraken."""

    def __init__(self) -> None:
        self.orders: dict[str, KrakenOrder] = {}
        self.trades: list[KrakenTrade] = []
        self.balances = dict(BALANCES)
        self.fail_reads: Exception | None = None
        self.cancel_failure: Exception | None = None
        self.canceled: list[str] = []

    def add(self, order: KrakenOrder, *trades: KrakenTrade) -> None:
        self.orders[order.txid] = order
        self.trades += trades

    def _check(self) -> None:
        if self.fail_reads is not None:
            raise self.fail_reads

    async def open_orders(
        self, *, cl_ord_id: str | None = None, trades: bool = False, **_: Any
    ) -> tuple[KrakenOrder, ...]:
        self._check()
        return tuple(o for o in self.orders.values() if o.is_open and cl_ord_id in (None, o.cl_ord_id))

    async def closed_orders(
        self, *, cl_ord_id: str | None = None, start: Any = None, ofs: Any = None, trades: bool = False
    ) -> ClosedOrdersPage:
        self._check()
        since_ns = int(start or 0) * 1_000_000_000
        found = [
            o
            for o in self.orders.values()
            if not o.is_open and cl_ord_id in (None, o.cl_ord_id) and (o.close_ns or 0) > since_ns
        ]
        offset = int(ofs or 0)
        return ClosedOrdersPage(tuple(found[offset : offset + 50]), len(found))

    async def trades_history(self, *, start: Any = None, ofs: Any = None) -> TradesHistoryPage:
        self._check()
        since_ns = int(start or 0) * 1_000_000_000
        found = [t for t in self.trades if t.time_ns > since_ns]
        offset = int(ofs or 0)
        return TradesHistoryPage(tuple(found[offset : offset + 50]), len(found))

    async def query_orders(self, txids: Any = (), *, trades: bool = False) -> tuple[KrakenOrder, ...]:
        missing = [t for t in txids if t not in self.orders]
        if missing:
            raise KrakenOrderRejectedError("QueryOrders", ["EOrder:Invalid order"])
        return tuple(self.orders[t] for t in txids)

    async def balance(self) -> dict[str, Decimal]:
        return dict(self.balances)

    async def cancel_order(self, *, txid: str | None = None, cl_ord_id: str | None = None) -> int:
        if self.cancel_failure is not None:
            raise self.cancel_failure
        self.canceled.append(txid or "")
        return 1


def kraken_order(
    txid: str,
    status: str,
    *,
    cl_ord_id: str | None,
    trades: tuple[str, ...] = (),
    vol_exec: str = "0",
    opened_s: float = NOW_S - 60,
) -> KrakenOrder:
    entry: dict[str, Any] = {
        "status": status,
        "descr": {"pair": "XXRPZUSD", "type": "buy", "ordertype": "limit", "price": "0.5"},
        "vol": "100",
        "vol_exec": vol_exec,
        "cost": "0",
        "fee": "0",
        "price": "0.5",
        "opentm": opened_s,
        "trades": list(trades),
    }
    if cl_ord_id:
        entry["cl_ord_id"] = cl_ord_id
    if status != "open":
        entry["closetm"] = opened_s + 30
    return parse_order(txid, entry)


def kraken_trade(txid: str, order_txid: str, qty: str, at_s: float) -> KrakenTrade:
    return parse_trade(
        txid,
        {
            "ordertxid": order_txid,
            "pair": "XXRPZUSD",
            "time": at_s,
            "type": "buy",
            "ordertype": "limit",
            "price": "0.5",
            "cost": "1",
            "fee": "0.01",
            "vol": qty,
            "maker": True,
        },
    )


class HaltSpy:
    def __init__(self) -> None:
        self.api_errors: list[str] = []
        self.fired: list[tuple[str, str]] = []

    def record_api_error(self, detail: str) -> None:
        self.api_errors.append(detail)

    def fire(self, trigger: str, reason: str) -> None:
        self.fired.append((trigger, reason))


class Portfolio:
    def __init__(self) -> None:
        self.ledger = Ledger("USD", {"USD": Decimal(1000)})


class Setup:
    def __init__(self, database: Database, **options: Any) -> None:
        self.kraken = FakeAccount()
        self.orders = OrderRepository(database.sessions)
        self.fills = FillRepository(database.sessions)
        self.runs = ReconciliationRepository(database.sessions)
        self.events: list[Event] = []
        self.halt = HaltSpy()
        self.clock = SimClock(NOW)
        self.reconciler = Reconciler(
            self.kraken,
            self.orders,
            self.fills,
            self.runs,
            Portfolio(),
            default_instruments(),
            self.events.append,
            clock=self.clock,
            halt=self.halt,
            options=ReconcileOptions(balance_checks=1, **options),
        )

    async def row(
        self, status: OrderStatus = OrderStatus.PENDING_NEW, *, txid: str | None = None, age_s: int = 120
    ) -> OrderRecord:
        record = await self.orders.insert_intent(
            NewOrder(
                client_order_id=uuid.UUID(new_id()),
                signal_id=None,
                trading_pair="XRP/USD",
                exchange="kraken",
                side=Side.BUY,
                order_type=OrderType.LIMIT,
                quantity_ordered=Decimal(100),
                limit_price=Decimal("0.5"),
                created_at=utc_datetime(NOW - age_s * 1_000_000_000),
            )
        )
        if status is OrderStatus.PENDING_NEW:
            return record
        return await self.orders.update(
            record.client_order_id, status=status, at=record.created_at, exchange_order_id=txid
        )

    async def fill(self, record: OrderRecord, fill_id: str, qty: str) -> None:
        await self.fills.record(
            NewFill(
                fill_id=fill_id,
                order_pk=record.order_pk,
                exchange_order_id=record.exchange_order_id,
                trading_pair="XRP/USD",
                exchange="kraken",
                side=Side.BUY,
                quantity_filled=Decimal(qty),
                fill_price=Decimal("0.5"),
                commission=Decimal("0.01"),
                commission_asset="USD",
                liquidity_type=LiquiditySide.MAKER,
                filled_at=record.created_at,
            )
        )


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[Database]:
    await upgrade(sqlite_url)
    db = await open_database(sqlite_url)
    yield db
    await db.close()


def kinds(report: Any) -> list[tuple[Kind, bool]]:
    return [(d.kind, d.resolved) for d in report.discrepancies]


async def test_an_acknowledged_order_kraken_does_not_know_is_unresolved(database: Database) -> None:
    s = Setup(database)
    row = await s.row(OrderStatus.NEW, txid="O-GONE")
    report = await s.reconciler.run()
    assert kinds(report) == [(Kind.MISSING_ON_EXCHANGE, False)] and report.status is RunStatus.MISMATCH
    assert report.discrepancies[0].client_order_id == str(row.client_order_id)


async def test_two_kraken_orders_with_one_client_order_id_are_not_guessed_between(database: Database) -> None:
    s = Setup(database)
    row = await s.row()
    cid = str(row.client_order_id)
    s.kraken.add(kraken_order("O-1", "open", cl_ord_id=cid))
    s.kraken.add(kraken_order("O-2", "canceled", cl_ord_id=cid))
    report = await s.reconciler.run()
    assert kinds(report) == [(Kind.INTENT_PLACED, False)]
    stored = await s.orders.get_by_client_order_id(row.client_order_id)
    assert stored is not None and stored.status is OrderStatus.PENDING_NEW and s.events == []


async def test_fills_of_orders_that_are_not_ours_are_flagged(database: Database) -> None:
    s = Setup(database)
    s.kraken.add(
        kraken_order("O-F", "closed", cl_ord_id=None, trades=("T-F",), vol_exec="100"),
        kraken_trade("T-F", "O-F", "100", NOW_S - 30),
    )
    s.kraken.add(kraken_order("O-E", "canceled", cl_ord_id="manual"))  # never traded: irrelevant
    report = await s.reconciler.run()
    assert kinds(report) == [(Kind.FOREIGN_FILL, False)]
    assert report.discrepancies[0].exchange_order_id == "O-F"


async def test_orders_over_on_both_sides_with_every_fill_recorded_are_no_discrepancy(
    database: Database,
) -> None:
    s = Setup(database)
    row = await s.row(OrderStatus.FILLED, txid="O-1")
    await s.fill(row, "T-1", "100")
    s.kraken.add(
        kraken_order("O-1", "closed", cl_ord_id=str(row.client_order_id), trades=("T-1",), vol_exec="100"),
        kraken_trade("T-1", "O-1", "100", NOW_S - 30),
    )
    report = await s.reconciler.run()
    assert report.ok and report.discrepancies == () and s.events == []


async def test_a_late_fill_of_a_canceled_order_is_recorded_and_the_order_stays_canceled(
    database: Database,
) -> None:
    s = Setup(database)
    row = await s.row(OrderStatus.CANCELED, txid="O-1")
    await s.fill(row, "T-1", "40")
    trades = (kraken_trade("T-1", "O-1", "40", NOW_S - 40), kraken_trade("T-2", "O-1", "30", NOW_S - 35))
    s.kraken.add(
        kraken_order(
            "O-1", "canceled", cl_ord_id=str(row.client_order_id), trades=("T-1", "T-2"), vol_exec="70"
        ),
        *trades,
    )
    report = await s.reconciler.run()
    assert kinds(report) == [(Kind.MISSING_FILL, True)] and report.ok
    (late,) = s.events
    assert isinstance(late, OrderFilled) and (late.fill_id, late.cum_qty, late.leaves_qty) == ("T-2", 70, 0)
    stored = await s.orders.get_by_client_order_id(row.client_order_id)
    assert stored is not None and stored.status is OrderStatus.CANCELED
    assert {f.fill_id for f in await s.fills.list_by_order(row.order_pk)} == {"T-1", "T-2"}


async def test_an_adopted_order_brings_its_fills_from_before_the_window(database: Database) -> None:
    s = Setup(database)
    await s.runs.start_run(
        ReconciliationRun(
            run_id=uuid.uuid4(),
            trigger=RunTrigger.PERIODIC,
            started_at=utc_datetime(NOW - 600 * 1_000_000_000),
            window_start=utc_datetime(NOW - 4 * HOUR_S * 1_000_000_000),
            counts={},
        )
    )
    last = await s.runs.last_run()
    assert last is not None
    await s.runs.finish_run(
        last.run_id, status=RunStatus.OK, finished_at=last.started_at, counts={}, unresolved=0
    )
    row = await s.row(OrderStatus.REJECTED, age_s=2 * HOUR_S)
    old = kraken_trade("T-OLD", "O-1", "30", NOW_S - 2 * HOUR_S + 10)  # before the window (last good run)
    s.kraken.add(
        kraken_order(
            "O-1",
            "open",
            cl_ord_id=str(row.client_order_id),
            trades=("T-OLD",),
            vol_exec="30",
            opened_s=NOW_S - 2 * HOUR_S,
        ),
        old,
    )
    report = await s.reconciler.run()
    assert report.window_start == utc_datetime(NOW - 600 * 1_000_000_000) - timedelta(seconds=2)
    assert kinds(report) == [(Kind.MISSING_FILL, True), (Kind.ORPHAN_ADOPTED, True)]
    assert [type(e) for e in s.events] == [OrderAccepted, OrderFilled]
    stored = await s.orders.get_by_client_order_id(row.client_order_id)
    assert stored is not None and (stored.status, stored.exchange_order_id) == (
        OrderStatus.PARTIALLY_FILLED,
        "O-1",
    )


async def test_the_window_reaches_back_to_the_oldest_open_order(database: Database) -> None:
    s = Setup(database)
    first = await s.reconciler.run()
    assert first.window_start == utc_datetime(NOW) - timedelta(days=1, seconds=2)
    row = await s.row(OrderStatus.NEW, txid="O-1", age_s=5 * HOUR_S)
    s.kraken.add(kraken_order("O-1", "open", cl_ord_id=str(row.client_order_id), opened_s=NOW_S - 5 * HOUR_S))
    second = await s.reconciler.run()
    assert second.window_start == row.created_at - timedelta(seconds=2) and second.ok


async def test_a_failed_read_verifies_nothing(database: Database) -> None:
    s = Setup(database)
    s.kraken.fail_reads = KrakenError("Kraken OpenOrders failed: EService:Unavailable (still failing)")
    with pytest.raises(ReconciliationMismatchError, match="read_failed") as refused:
        await s.reconciler.reconcile_at_start()
    report = refused.value.report
    assert report.status is RunStatus.FAILED and kinds(report) == [(Kind.READ_FAILED, False)]
    assert len(s.halt.api_errors) == 1
    run = await s.runs.last_run()
    assert run is not None and run.status is RunStatus.FAILED and "EService:Unavailable" in (run.error or "")
    assert "Trading stays stopped" in str(refused.value)


async def test_a_foreign_order_that_cannot_be_canceled_stays_unresolved(database: Database) -> None:
    s = Setup(database, foreign_orders="cancel")
    s.kraken.add(kraken_order("O-X", "open", cl_ord_id="manual"))
    s.kraken.cancel_failure = KrakenError("down")
    report = await s.reconciler.run()
    assert kinds(report) == [(Kind.ORPHAN_FOREIGN, False)]
    assert report.discrepancies[0].action.startswith("cancel failed")


async def test_periodic_runs_halt_on_an_unresolved_difference(database: Database) -> None:
    s = Setup(database, interval_s=0.01)
    s.kraken.balances["ZUSD"] = Decimal(900)
    s.reconciler.start_periodic()
    try:
        async with asyncio.timeout(5):
            while not s.halt.fired:  # noqa: ASYNC110 - waiting on the background task's effect
                await asyncio.sleep(0.01)
    finally:
        await s.reconciler.stop()
    trigger, reason = s.halt.fired[0]
    assert trigger == "reconciliation" and "USD: the ledger says 1000, Kraken 900" in reason


def test_options_come_from_the_portfolio_settings_and_are_checked() -> None:
    options = ReconcileOptions.from_settings(
        PortfolioSettings(reconcile_interval_s=600, reconcile_pending_grace_s=45), foreign_orders="cancel"
    )
    assert (options.interval_s, options.foreign_orders, options.balance_tolerance) == (
        600,
        "cancel",
        Decimal("0.01"),
    )
    assert options.pending_grace_s == 45 and options.initial_lookback_s == 86_400
    with pytest.raises(ValueError, match="balance_checks >= 1"):
        ReconcileOptions(balance_checks=0)

"""Latency of the live order path and the cost of reconciliation, against the local exchange simulator.

Run: python -m bench.bench_kraken_venue   (prints one line per measurement; copy into docs/benchmarks.md)

What is counted (one process, one event loop shared by the simulator and our side, 127.0.0.1):
- order round trip, venue: ``KrakenVenue.submit(SubmitOrder)`` called -> ``OrderAccepted``
  published (a resting XRP/USD limit buy; the AddOrder reply or the ``executions`` stream's
  ``pending_new``, whichever comes first). Signed REST AddOrder, the simulator's checks and
  matching engine, and our decoding are all inside. ``ORDERS`` orders one after the other.
- order round trip, write-ahead: ``SubmitOrder`` published on the AsyncBus -> ``OrderAccepted``
  delivered on the bus, through the ``OrderJournal`` on SQLite: the PENDING_NEW row committed
  before the send, the acknowledgement committed before it is published.
- reconciliation of N orders: ``Reconciler.run`` with N orders open in the database (SQLite):
  (a) all N still open on Kraken, nothing to do; (b) all N canceled on Kraken while we were
  "down", so each is settled (row updated, ``OrderCanceled`` published, discrepancy recorded).
  Kraken is read page by page (50 per call) and balances are compared once.
Every order is canceled between measurements so the open-order cap is never reached; the
simulator's rate-limit counters run on a clock that jumps 1000 s per reading and our client's
limits are lifted, so Kraken's limits (not what is measured) never make a call wait.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from galfriday.config.sections.risk import PortfolioSettings, RiskSettings
from galfriday.core.bus import AsyncBus
from galfriday.core.clock import LiveClock
from galfriday.core.events import Event, OrderAccepted, SubmitOrder, new_id
from galfriday.core.instruments import default_instruments
from galfriday.core.types import OrderStatus, OrderType, Side
from galfriday.execution.reconcile_report import ReconcileOptions
from galfriday.execution.reconciliation import Reconciler
from galfriday.kraken.orders_wire import AddOrderRequest
from galfriday.kraken.rest_private import KrakenPrivateClient
from galfriday.kraken.trading_limits import RestCallCounter, TierLimits, TradingLimits
from galfriday.kraken.venue import KrakenVenue
from galfriday.portfolio.ledger import Ledger
from galfriday.portfolio.manager import PortfolioManager
from galfriday.risk.halt import HaltCoordinator
from galfriday.sim.server import AccountSpec, ExchangeSimulator, SimulatorConfig
from galfriday.sim.server.accounts import demo_account
from galfriday.storage.db.database import Database, open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.storage.db.records import NewOrder
from galfriday.storage.db.repositories import FillRepository, OrderRepository, ReconciliationRepository
from galfriday.storage.recorders.orders import OrderJournal
from galfriday.storage.recorders.write_behind import utc_datetime

ORDERS = 300
RECONCILE_SIZES = (50, 200)
XRP, DOGE = default_instruments()["XRP/USD"], default_instruments()["DOGE/USD"]
UNLIMITED = TierLimits(1e12, 1e12, 1e12, 1e12, 1_000_000)
BALANCES = {"USD": Decimal(10**9), "XRP": Decimal(10**9), "DOGE": Decimal(10**9)}


class Nonces:
    def __init__(self) -> None:
        self.last = 0

    async def next_nonce(self) -> int:
        self.last = max(time.time_ns() // 1000, self.last + 1)
        return self.last


class JumpingClock:
    """Monotonic seconds that leap 1000 s per reading: the simulator's counters are always drained."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1000.0
        return self.now


class NoHalt:
    def record_api_error(self, detail: str) -> None:
        raise RuntimeError(f"API error during the benchmark: {detail}")

    def fire(self, trigger: str, reason: str) -> None:
        raise RuntimeError(f"HALT during the benchmark: {trigger}: {reason}")


def account() -> AccountSpec:
    base = demo_account(1)
    return AccountSpec(api_key=base.api_key, secret=base.secret, tier="pro", balances=dict(BALANCES))


def client(sim: ExchangeSimulator, spec: AccountSpec) -> KrakenPrivateClient:
    return KrakenPrivateClient(
        sim.rest_url,
        spec.api_key,
        spec.secret,
        Nonces(),
        tier="pro",
        rest_counter=RestCallCounter(UNLIMITED),
        trading_limits=TradingLimits(UNLIMITED),
    )


def command(price: Decimal) -> SubmitOrder:
    now = time.time_ns()
    return SubmitOrder(
        ts_event=now,
        ts_init=now,
        correlation_id="bench",
        client_order_id=new_id(),
        pair="XRP/USD",
        side=Side.BUY,
        order_type=OrderType.LIMIT,
        qty=Decimal(50),
        limit_price=price,
    )


class AcceptedWatch:
    """Resolves the future of an order when its ``OrderAccepted`` is published."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[float]] = {}

    def expect(self, client_order_id: str) -> asyncio.Future[float]:
        future = asyncio.get_running_loop().create_future()
        self.waiting[client_order_id] = future
        return future

    def __call__(self, event: Event) -> None:
        if isinstance(event, OrderAccepted):
            future = self.waiting.pop(event.client_order_id, None)
            if future is not None and not future.done():
                future.set_result(time.perf_counter())


async def round_trips(database: Database | None) -> list[float]:
    """Milliseconds from submit to OrderAccepted, venue alone or behind the journal."""
    spec = account()
    async with ExchangeSimulator(SimulatorConfig(accounts=(spec,)), limits_now=JumpingClock()) as sim:
        rest = client(sim, spec)
        watch = AcceptedWatch()
        bus = AsyncBus()
        journal = None
        if database is None:
            venue = KrakenVenue(rest, default_instruments(), watch, NoHalt(), ws_url=sim.ws_private_url)
        else:
            journal = OrderJournal(
                OrderRepository(database.sessions), FillRepository(database.sessions), bus.publish
            )
            venue = KrakenVenue(
                rest, default_instruments(), journal.on_report, NoHalt(), ws_url=sim.ws_private_url
            )
            journal.attach(bus, venue)
            bus.subscribe(OrderAccepted, watch, name="bench.accepted")
        await bus.start()
        await venue.start()
        price = XRP.round_price(sim.exchange.market.pairs["XRP/USD"].book.bids[0].price * Decimal("0.8"))
        samples = []
        try:
            for n in range(ORDERS + 20):
                order = command(price)
                accepted = watch.expect(order.client_order_id)
                started = time.perf_counter()
                if database is None:
                    await venue.submit(order)
                else:
                    bus.publish(order)
                samples.append((await accepted - started) * 1000)
                if n % 50 == 49:
                    await rest.cancel_all()
        finally:
            await rest.cancel_all()
            await venue.close()
            if journal is not None:
                await journal.close()
            await bus.stop()
            await rest.close()
        return samples[20:]  # the first ones warm connections and caches up


async def reconcile(database: Database, orders: int, *, canceled_meanwhile: bool) -> float:
    """Seconds for one ``Reconciler.run`` with ``orders`` open orders in the database."""
    spec = account()
    async with ExchangeSimulator(SimulatorConfig(accounts=(spec,)), limits_now=JumpingClock()) as sim:
        rest = client(sim, spec)
        repository = OrderRepository(database.sessions)
        clock = LiveClock()
        bus = AsyncBus()
        portfolio = PortfolioManager(
            PortfolioSettings(),
            default_instruments(),
            clock,
            bus.publish,
            ledger=Ledger("USD", dict(BALANCES)),
        )
        portfolio.attach(bus)
        halt = HaltCoordinator(RiskSettings(), clock, bus.publish, portfolio)
        await bus.start()
        created = utc_datetime(time.time_ns() - 60 * 1_000_000_000)
        for i in range(orders):
            instrument = XRP if i % 2 else DOGE  # both pairs: the open-order cap is per pair
            book = sim.exchange.market.pairs[instrument.symbol].book
            price = instrument.round_price(book.bids[0].price * Decimal("0.8"))
            cid = new_id()
            placed = await rest.add_order(
                AddOrderRequest(
                    instrument=instrument,
                    side=Side.BUY,
                    order_type=OrderType.LIMIT,
                    qty=Decimal(100),
                    limit_price=price,
                    cl_ord_id=cid,
                )
            )
            row = await repository.insert_intent(
                NewOrder(
                    client_order_id=uuid.UUID(cid),
                    signal_id=None,
                    trading_pair=instrument.symbol,
                    exchange="kraken",
                    side=Side.BUY,
                    order_type=OrderType.LIMIT,
                    quantity_ordered=Decimal(100),
                    limit_price=price,
                    created_at=created,
                )
            )
            await repository.update(
                row.client_order_id, status=OrderStatus.NEW, at=created, exchange_order_id=placed.txid
            )
        if canceled_meanwhile:
            await rest.cancel_all()
        reconciler = Reconciler(
            rest,
            repository,
            FillRepository(database.sessions),
            ReconciliationRepository(database.sessions),
            portfolio,
            default_instruments(),
            bus.publish,
            clock=clock,
            halt=halt,
            options=ReconcileOptions(balance_checks=1),
        )
        try:
            started = time.perf_counter()
            report = await reconciler.run()
            elapsed = time.perf_counter() - started
        finally:
            await rest.cancel_all()
            await bus.stop()
            await rest.close()
        expected = orders if canceled_meanwhile else 0
        if not report.ok or len(report.discrepancies) != expected:
            raise RuntimeError(f"unexpected reconciliation outcome: {report.summary()}")
        return elapsed


async def with_database(work: Callable[[Database], Any]) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await upgrade(url)
        database = await open_database(url)
        try:
            return await work(database)
        finally:
            await database.close()


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100)
    return (
        f"p50 {statistics.median(samples):6.2f} ms   p90 {cuts[89]:6.2f} ms   p99 {cuts[98]:6.2f} ms   "
        f"({len(samples)} orders)"
    )


def main() -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"# Kraken venue benchmark — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cpu, "
        f"{platform.processor() or platform.machine()}, load average {load}"
    )
    print(
        f"{'round trip, venue (submit -> OrderAccepted):':58} {percentiles(asyncio.run(round_trips(None)))}"
    )
    journaled = asyncio.run(with_database(round_trips))
    print(f"{'round trip, journal on SQLite + bus:':58} {percentiles(journaled)}")
    for n in RECONCILE_SIZES:
        for canceled in (False, True):
            seconds = asyncio.run(
                with_database(
                    lambda db, n=n, canceled=canceled: reconcile(db, n, canceled_meanwhile=canceled)
                )
            )
            what = "all closed on Kraken, settled" if canceled else "all still open, nothing to do"
            label = f"reconcile {n} open orders ({what}):"
            print(f"{label:58} {seconds * 1000:8.0f} ms   ({n / seconds:,.0f} orders/s)")


if __name__ == "__main__":
    main()

"""The whole trading kernel, end to end, with the real fill model.

Backtest: a SyncBus and a SimClock; StrategyArbitrator (predictions published on a timer),
RiskManager, PortfolioManager, HaltCoordinator, ExecutionHandler and the SimulatedVenue, fed by the
seeded MarketGenerator (XRP/USD trades and depth-25 books). Orders fill against the generated
book with latency, partial fills, maker/taker fees and funds held by the account.

Paper: the same components on an AsyncBus with a LiveClock, the market re-stamped to wall time as
a live feed would be, and the write-ahead order journal on SQLite between the kernel and the venue.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from galfriday.config.sections.risk import PortfolioSettings, RiskSettings
from galfriday.config.sections.signal import StrategySettings
from galfriday.core.bus import AsyncBus, SyncBus
from galfriday.core.clock import NS_PER_S, Clock, LiveClock, SimClock
from galfriday.core.events import (
    CancelOrder,
    ClosePosition,
    Event,
    OrderFilled,
    PositionChanged,
    PredictionMade,
    SubmitOrder,
    TradeClosed,
)
from galfriday.core.instruments import default_instruments
from galfriday.core.types import ExitReason, OrderStatus
from galfriday.execution import ExecutionHandler
from galfriday.portfolio.manager import PortfolioManager
from galfriday.portfolio.order_tags import OrderPurpose
from galfriday.risk.halt import HaltCoordinator
from galfriday.risk.manager import RiskManager
from galfriday.sim.market.generator import DEFAULT_START_NS, MarketGenerator
from galfriday.sim.market.profile import default_profiles
from galfriday.sim.matching import Account, FillModelConfig
from galfriday.sim.venue import SimulatedVenue
from galfriday.storage.db.database import Database, open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.storage.db.repositories import FillRepository, OrderRepository, SignalRepository
from galfriday.storage.recorders.orders import OrderJournal
from galfriday.storage.recorders.signals import SignalRecorder
from galfriday.strategy.arbitrator import StrategyArbitrator

PAIR = "XRP/USD"
INSTRUMENTS = {PAIR: default_instruments()[PAIR]}
MINUTE = 60 * NS_PER_S
# A livelier XRP/USD than the default profile, so stops, targets and time exits all happen within
# minutes of market time; tight brackets that still clear the round-trip fees.
PROFILE = dataclasses.replace(default_profiles()[0], garch_omega=4e-10)
STRATEGY = StrategySettings(
    sl_pct=Decimal("0.0025"), tp_pct=Decimal("0.0045"), max_holding_s=300, on_entry_timeout="market"
)
# This is about execution, not about when to stop trading: losing streaks must not HALT it.
RISK = RiskSettings(loss_streak_warn=50, loss_streak_halt=100)
CASH = Decimal(10_000)


class Kernel:
    """The trading kernel wired as a session wires it, on ``bus`` and ``clock``."""

    def __init__(
        self,
        bus: Any,
        clock: Clock,
        *,
        seed: int,
        strategy: StrategySettings = STRATEGY,
        latency_ms: int = 100,
    ) -> None:
        self.bus, self.clock = bus, clock
        self.events: list[Event] = []
        bus.subscribe(Event, self.events.append, name="test.recorder")
        portfolio_settings = PortfolioSettings(initial_cash=CASH)
        self.portfolio = PortfolioManager(portfolio_settings, INSTRUMENTS, clock, bus.publish)
        self.halt = HaltCoordinator(RISK, clock, bus.publish, self.portfolio)
        self.risk = RiskManager(RISK, INSTRUMENTS, self.portfolio, self.halt, clock, bus.publish)
        tags = self.portfolio.order_tags
        self.strategy = StrategyArbitrator(strategy, INSTRUMENTS, clock, bus.publish, tags)
        self.handler = ExecutionHandler(strategy, INSTRUMENTS, clock, bus.publish, tags)
        self.account = Account({"USD": CASH})
        self.venue = SimulatedVenue(
            INSTRUMENTS,
            self.account,
            clock,
            self.publish_report,
            config=FillModelConfig(latency_ns=latency_ms * 1_000_000),
            seed=seed,
        )
        self.portfolio.attach(bus)
        self.halt.attach(bus)
        self.risk.attach(bus)
        self.strategy.attach(bus)
        self.handler.attach(bus)
        self.orphans: list[str] = []
        bus.subscribe(PositionChanged, self.check_no_orphan_legs, name="test.orphans")

    def publish_report(self, event: Event) -> None:
        self.bus.publish(event)

    def predict(self, _: object = None) -> None:
        now = self.clock.timestamp_ns()
        self.bus.publish(
            PredictionMade(
                ts_event=now, ts_init=now, pair=PAIR, model_id="m", prediction_target="up", p_up=0.8
            )
        )

    def check_no_orphan_legs(self, event: PositionChanged) -> None:
        """Flat means no exit order left working that nobody is canceling."""
        if event.qty != 0:
            return
        for report in self.venue.engine(PAIR).open_orders():
            tag = self.portfolio.order_tags.get(report.client_order_id)
            order = self.handler.order(report.client_order_id)
            being_canceled = order is not None and order.cancel_pending
            if tag is not None and tag.purpose is not OrderPurpose.ENTRY and not being_canceled:
                self.orphans.append(report.client_order_id)

    # -- reads ----------------------------------------------------------------------------------

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    def trades(self) -> list[tuple[object, ...]]:
        return [
            (
                t.pair,
                t.qty,
                t.avg_entry_price,
                t.avg_exit_price,
                t.entry_time_ns,
                t.exit_time_ns,
                t.fees,
                t.realized_pnl,
                t.exit_reason,
            )
            for t in self.of(TradeClosed)
        ]


class Backtest(Kernel):
    def __init__(self, seed: int, **kw: Any) -> None:
        clock = SimClock(DEFAULT_START_NS)
        super().__init__(SyncBus(), clock, seed=seed, **kw)
        self.sim_clock = clock
        self.venue.attach(self.bus)
        self.market = MarketGenerator([PROFILE], seed=seed)

    def run(self, minutes: float) -> None:
        until = self.sim_clock.timestamp_ns() + int(minutes * MINUTE)
        for event in self.market.events(until_ns=until):
            self.sim_clock.advance_to(event.ts_event)
            self.bus.publish(event)
        self.sim_clock.advance_to(until)

    def trade_for(self, minutes: float, predict_every_s: int = 120) -> None:
        """Trade: a bullish prediction every ``predict_every_s``, then no more entries and run on
        until every position and order has ended (the time exit bounds it)."""
        self.sim_clock.set_timer("test.predict", predict_every_s * NS_PER_S, self.predict)
        self.run(minutes)
        self.sim_clock.cancel_timer("test.predict")
        for _ in range(20):
            if self.handler.bracket(PAIR) is None:
                return
            self.run(1)
        raise AssertionError(f"still working after the wind-down: {self.handler.bracket(PAIR)}")


@pytest.fixture(scope="module")
def session() -> Backtest:
    backtest = Backtest(seed=2)
    backtest.trade_for(minutes=40)
    return backtest


def test_a_backtest_session_trades_end_to_end(session: Backtest) -> None:
    reasons = Counter(t.exit_reason for t in session.of(TradeClosed))
    assert {ExitReason.TP_HIT, ExitReason.SL_HIT, ExitReason.TIME_EXIT} <= set(reasons), reasons
    submits = session.of(SubmitOrder)
    purposes = Counter(s.purpose for s in submits)
    assert purposes["entry"] >= 8 and purposes["take_profit"] >= purposes["entry"]

    fills_per_order = Counter(f.client_order_id for f in session.of(OrderFilled))
    assert any(count > 1 for count in fills_per_order.values())  # partial fills against the book

    # every take-profit leg was placed after entry fills, never for more than had been filled
    filled_before: Counter[str] = Counter()
    placed: Counter[str] = Counter()
    tags = session.portfolio.order_tags
    for event in session.events:
        if isinstance(event, OrderFilled) and tags.get(event.client_order_id).purpose is OrderPurpose.ENTRY:
            filled_before[event.correlation_id] += event.qty
        elif isinstance(event, SubmitOrder) and event.purpose == "take_profit":
            placed[event.correlation_id] += event.qty
            assert placed[event.correlation_id] <= filled_before[event.correlation_id]
            assert event.limit_price is not None

    # client-side OCO: a stop that fires cancels the take-profit legs
    # (the handler holds the stop; the strategy no longer closes on SL/TP itself)
    stop_cancels = [c for c in session.of(CancelOrder) if c.reason == "oco: stop-loss triggered"]
    assert stop_cancels
    assert not [c for c in session.of(ClosePosition) if c.reason in (ExitReason.SL_HIT, ExitReason.TP_HIT)]
    assert all(tags.get(c.client_order_id).purpose is OrderPurpose.TAKE_PROFIT for c in stop_cancels)

    # realised P&L == what the venue's account gained or lost, fees included, to the cent
    assert session.portfolio.open_positions() == {} and session.account.total("XRP") == 0
    cash_delta = session.account.total("USD") - CASH
    realized = session.portfolio.ledger.realized_pnl()
    assert realized.quantize(Decimal("0.01")) == cash_delta.quantize(Decimal("0.01"))
    assert realized == cash_delta  # in fact exactly: both sides book the same Decimal fills
    assert sum((t.realized_pnl for t in session.of(TradeClosed)), Decimal(0)) == realized
    assert session.portfolio.ledger.quote_cash == session.account.total("USD")

    # every order reached a terminal state, nothing is left anywhere, no leg outlived its position
    assert all(order.is_terminal for order in session.handler.orders())
    assert len(list(session.handler.orders())) == len(submits)
    assert session.venue.engine(PAIR).open_orders() == [] and tags.open_orders() == {}
    assert session.account.held("USD") == session.account.held("XRP") == 0
    assert session.orphans == []

    # the signal id is the correlation id of every order and fill
    for event in session.of(OrderFilled) + submits:
        assert event.correlation_id == tags.get(event.client_order_id).signal_id


def test_the_same_seed_gives_the_same_trades(session: Backtest) -> None:
    again = Backtest(seed=2)
    again.trade_for(minutes=40)
    assert again.trades() == session.trades() and len(session.trades()) >= 6
    assert again.account.balances() == session.account.balances()


def test_a_halt_cancels_entries_and_flattens_through_the_execution_handler() -> None:
    backtest = Backtest(seed=5, strategy=STRATEGY.model_copy(update={"max_holding_s": 3600}))
    backtest.run(0.5)
    backtest.predict()
    for _ in range(600):  # until the entry has (partly) filled and its take-profit rests
        backtest.run(0.05)
        bracket = backtest.handler.bracket(PAIR)
        if bracket is not None and bracket.held > 0 and bracket.open_orders(OrderPurpose.TAKE_PROFIT):
            break
    else:
        raise AssertionError("the entry never filled")
    backtest.halt.halt("operator test", by="alice")
    backtest.run(1)
    assert backtest.handler.bracket(PAIR) is None and backtest.portfolio.open_positions() == {}
    (trade,) = backtest.of(TradeClosed)
    assert trade.exit_reason is ExitReason.HALT
    assert all(order.is_terminal for order in backtest.handler.orders())
    assert backtest.venue.engine(PAIR).open_orders() == [] and backtest.orphans == []
    assert backtest.portfolio.ledger.realized_pnl() == backtest.account.total("USD") - CASH
    sent = len(backtest.of(SubmitOrder))
    backtest.predict()  # halted: the risk manager rejects it, nothing is sent
    backtest.run(1)
    assert len(backtest.of(SubmitOrder)) == sent


# -- paper: AsyncBus, LiveClock, the write-ahead journal on SQLite --------------------------------


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[Database]:
    await upgrade(sqlite_url)
    database = await open_database(sqlite_url)
    yield database
    await database.close()


class CheckedVenue:
    """The paper venue behind a probe: when an order reaches it, its row must already exist."""

    def __init__(self, venue: SimulatedVenue, orders: OrderRepository) -> None:
        self.venue, self.orders = venue, orders
        self.rows_seen: dict[str, OrderStatus | None] = {}

    async def submit(self, command: SubmitOrder) -> None:
        row = await self.orders.get_by_client_order_id(uuid.UUID(command.client_order_id))
        self.rows_seen[command.client_order_id] = None if row is None else row.status
        self.venue.submit(command)

    def cancel(self, command: CancelOrder) -> None:
        self.venue.cancel(command)

    def attach(self, bus: object) -> None:
        raise AssertionError("the journal takes the commands")


class Paper(Kernel):
    def __init__(self, database: Database, seed: int) -> None:
        self.orders = OrderRepository(database.sessions)
        self.fills = FillRepository(database.sessions)
        bus = AsyncBus()
        self.journal = OrderJournal(self.orders, self.fills, bus.publish)
        self.live_clock = LiveClock()
        strategy = STRATEGY.model_copy(update={"max_holding_s": 1, "entry_timeout_s": 0.3})
        super().__init__(bus, self.live_clock, seed=seed, strategy=strategy, latency_ms=5)
        self.checked = CheckedVenue(self.venue, self.orders)
        self.venue.attach_market_data(bus)
        self.journal.attach(bus, self.checked)
        self.signals = SignalRecorder(SignalRepository(database.sessions))
        self.signals.attach(bus)
        self.market = MarketGenerator([PROFILE], seed=seed)

    def publish_report(self, event: Event) -> None:
        self.journal.on_report(event)

    def live_feed(self, count: int) -> Iterator[Event]:
        """The generated market, re-stamped as if it arrived now (a live feed's timestamps)."""
        for event in self.market.events(max_events=count):
            now = time.time_ns()
            yield msgspec.structs.replace(event, ts_event=now, ts_init=now)

    async def trade_until(self, closed_trades: int, timeout_s: float = 20.0) -> None:
        """Trade (a bullish prediction every 250 ms) until ``closed_trades`` round trips have closed,
        then stop entering and wind down until nothing is working any more."""
        deadline = time.monotonic() + timeout_s
        self.live_clock.set_timer("test.predict", NS_PER_S // 4, self.predict)
        while len(self.of(TradeClosed)) < closed_trades:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.of(TradeClosed))} trades closed in {timeout_s}s")
            for event in self.live_feed(20):
                await self.bus.publish_wait(event)
            await asyncio.sleep(0.002)  # about 100 market seconds per wall second
        self.live_clock.cancel_timer("test.predict")
        quiet = 0
        for _ in range(300):  # wind down until nothing has worked for a while (the time exit bounds it)
            busy = self.handler.bracket(PAIR) is not None or self.journal.queue.pending
            quiet = 0 if busy else quiet + 1
            if quiet == 10:
                return
            for event in self.live_feed(20):
                await self.bus.publish_wait(event)
            await asyncio.sleep(0.01)
        raise AssertionError(f"still working after the wind-down: {self.handler.bracket(PAIR)}")


async def test_a_paper_session_writes_ahead_and_the_database_matches_the_handler(database: Database) -> None:
    paper = Paper(database, seed=3)
    await paper.bus.start()
    paper.signals.queue.start()
    try:
        await paper.trade_until(closed_trades=2)
    finally:
        paper.live_clock.cancel_all()
        await paper.bus.stop()
        await paper.journal.close()
        await paper.signals.queue.close()

    submits = paper.of(SubmitOrder)
    purposes = Counter(s.purpose for s in submits)
    assert purposes["entry"] >= 2 and purposes["take_profit"] >= 2, purposes
    # every order's row existed, as PENDING_NEW, before the venue saw the order
    assert paper.checked.rows_seen == {s.client_order_id: OrderStatus.PENDING_NEW for s in submits}
    # every fill recorded exactly once, and the database agrees with the handler on every order
    fills = paper.of(OrderFilled)
    for command in submits:
        row = await paper.orders.get_by_client_order_id(uuid.UUID(command.client_order_id))
        order = paper.handler.order(command.client_order_id)
        assert row is not None and order is not None
        assert order.is_terminal and row.status is order.status, (command.purpose, row.status, order.status)
        stored = [f.fill_id for f in await paper.fills.list_by_order(row.order_pk)]
        published = [f.fill_id for f in fills if f.client_order_id == command.client_order_id]
        assert sorted(stored) == sorted(published) and len(set(stored)) == len(stored)
        assert sum(f.quantity_filled for f in await paper.fills.list_by_order(row.order_pk)) == order.cum_qty
    assert paper.portfolio.open_positions() == {}
    assert paper.portfolio.ledger.realized_pnl() == paper.account.total("USD") - CASH

"""A HALT and its recovery, end to end on the backtest kernel (SyncBus + SimClock).

Strategy, risk, portfolio and the HALT coordinator are wired as in a session; a minimal fill
simulator stands in for execution (immediate fills at the requested price — the limit, or the
mid for market orders and exits — plus the taker fee), honouring the order-tag contract. The
HALT journal and the signals go to a real SQLite database, and the "restart" builds every object
anew from that database and the portfolio's saved state.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from galfriday.config.sections.risk import PortfolioSettings, RiskSettings
from galfriday.config.sections.signal import StrategySettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import (
    AlertRaised,
    CancelOrder,
    ClosePosition,
    HaltResumed,
    HaltTriggered,
    OrderCanceled,
    OrderFilled,
    SignalApproved,
    SignalRejected,
    SystemStateChanged,
    TradeClosed,
    new_id,
)
from galfriday.core.types import AlertSeverity, ExitReason, LiquiditySide, Side, SignalStatus, SystemState
from galfriday.portfolio.manager import PortfolioManager
from galfriday.portfolio.order_tags import OrderTag
from galfriday.risk.halt import HaltCoordinator
from galfriday.risk.halt_record import CHECKLIST_ITEMS, HaltRecord, IncompleteChecklistError
from galfriday.risk.manager import RiskManager
from galfriday.storage.db.database import Database, open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.storage.db.repositories import HaltRepository, SignalRepository
from galfriday.storage.recorders.halts import HaltJournal
from galfriday.storage.recorders.signals import SignalRecorder
from galfriday.strategy.arbitrator import StrategyArbitrator
from tests.unit.portfolio._kit import INSTRUMENTS, MINUTE, SECOND, T0, D, Recorder, book, prediction

# Wide enough exposure caps that a 4 % fall of two positions is a 2 % drawdown.
LARGE_POSITIONS = {
    "risk_per_trade_pct": Decimal("0.01"),
    "max_exposure_per_asset_pct": Decimal("0.5"),
    "max_total_exposure_pct": Decimal("1"),
    "max_order_value_usd": Decimal("100000"),
}


class FillSimulator:
    """Immediate fills for approved entries and ClosePosition; tags every order first."""

    def __init__(self, bus: SyncBus, clock: SimClock, portfolio: PortfolioManager) -> None:
        self._bus, self._clock, self._portfolio = bus, clock, portfolio
        bus.subscribe(SignalApproved, self.on_approved)
        bus.subscribe(ClosePosition, self.on_close)
        bus.subscribe(CancelOrder, self.on_cancel)

    def on_approved(self, event: SignalApproved) -> None:
        client_order_id = new_id()
        self._portfolio.order_tags.register(
            client_order_id, OrderTag.entry(event.signal_id, event.strategy_id)
        )
        price = event.entry_price or self._portfolio.reference_price(event.pair)
        assert price is not None
        self._fill(client_order_id, event.pair, Side.BUY, event.qty, price)

    def on_close(self, event: ClosePosition) -> None:
        qty = self._portfolio.position_qty(event.pair)
        if qty <= 0:
            return  # the execution side's ClosePosition is idempotent per pair
        client_order_id = new_id()
        self._portfolio.order_tags.register(client_order_id, OrderTag.exit(event.reason))
        price = self._portfolio.reference_price(event.pair)
        assert price is not None
        self._fill(client_order_id, event.pair, Side.SELL, qty, price)

    def on_cancel(self, event: CancelOrder) -> None:
        now = self._clock.timestamp_ns()
        self._bus.publish(
            OrderCanceled(
                ts_event=now,
                ts_init=now,
                client_order_id=event.client_order_id,
                exchange_order_id="sim",
                pair=event.pair,
                reason=event.reason,
            )
        )

    def _fill(self, client_order_id: str, pair: str, side: Side, qty: Decimal, price: Decimal) -> None:
        now = self._clock.timestamp_ns()
        fee = (qty * price * INSTRUMENTS[pair].taker_fee).quantize(Decimal("0.00000001"))
        self._bus.publish(
            OrderFilled(
                ts_event=now,
                ts_init=now,
                client_order_id=client_order_id,
                exchange_order_id="sim",
                fill_id=new_id(),
                pair=pair,
                side=side,
                qty=qty,
                price=price,
                fee=fee,
                fee_currency="USD",
                liquidity=LiquiditySide.TAKER,
                cum_qty=qty,
                leaves_qty=Decimal(0),
            )
        )


class TradingSystem:
    """The trading core wired on one SyncBus, optionally restored from saved state."""

    def __init__(
        self,
        clock: SimClock,
        *,
        journal: HaltJournal | None = None,
        signals: SignalRepository | None = None,
        risk: dict[str, Any] | None = None,
        strategy: dict[str, Any] | None = None,
        portfolio_state: dict[str, Any] | None = None,
        halt_record: HaltRecord | None = None,
    ) -> None:
        self.clock = clock
        self.bus = SyncBus()
        self.events = Recorder(self.bus)
        settings = PortfolioSettings(initial_cash=D(10_000))
        if portfolio_state is None:
            self.portfolio = PortfolioManager(settings, INSTRUMENTS, clock, self.bus.publish)
        else:
            self.portfolio = PortfolioManager.from_state(
                portfolio_state, settings, INSTRUMENTS, clock, self.bus.publish
            )
        risk_settings = RiskSettings(**(risk or {}))
        self.halt = HaltCoordinator(risk_settings, clock, self.bus.publish, self.portfolio, journal=journal)
        self.risk = RiskManager(
            risk_settings, INSTRUMENTS, self.portfolio, self.halt, clock, self.bus.publish
        )
        self.strategy = StrategyArbitrator(
            StrategySettings(**(strategy or {})),
            INSTRUMENTS,
            clock,
            self.bus.publish,
            self.portfolio.order_tags,
            watch_stops=True,  # no ExecutionHandler here: the strategy guards the bracket itself
        )
        self.portfolio.attach(self.bus)  # first: marks and drawdowns move before anyone reads them
        self.halt.attach(self.bus)
        self.risk.attach(self.bus)
        self.strategy.attach(self.bus)
        FillSimulator(self.bus, clock, self.portfolio)
        self.recorder = None if signals is None else SignalRecorder(signals)
        if self.recorder is not None:
            self.recorder.attach(self.bus)
        if halt_record is not None:
            self.halt.restore(halt_record)

    def at(self, seconds: int) -> int:
        now = T0 + seconds * SECOND
        self.clock.advance_to(max(now, self.clock.timestamp_ns()))
        return self.clock.timestamp_ns()

    def prices(self, xrp: str | None = None, doge: str | None = None) -> None:
        now = self.clock.timestamp_ns()
        if xrp is not None:
            self.bus.publish(book("XRP/USD", _minus_tick(xrp, "0.00001"), _plus_tick(xrp, "0.00001"), ts=now))
        if doge is not None:
            self.bus.publish(
                book("DOGE/USD", _minus_tick(doge, "0.0000001"), _plus_tick(doge, "0.0000001"), ts=now)
            )

    def predict(self, pair: str, p_up: float) -> None:
        self.bus.publish(prediction(pair, p_up, ts=self.clock.timestamp_ns()))

    def halts(self) -> list[str]:
        return [h.trigger for h in self.events.of(HaltTriggered)]


def _minus_tick(price: str, tick: str) -> str:
    return str(D(price) - D(tick))


def _plus_tick(price: str, tick: str) -> str:
    return str(D(price) + D(tick))


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[Database]:
    await upgrade(sqlite_url)
    database = await open_database(sqlite_url)
    yield database
    await database.close()


def test_a_losing_streak_halts_and_a_halted_system_rejects_new_entries() -> None:
    system = TradingSystem(SimClock(T0))
    for trade in range(5):
        system.at(trade * 10 * MINUTE // SECOND)
        system.prices(xrp="0.50000")
        system.predict("XRP/USD", 0.8)  # enter long at 0.50000
        system.at(trade * 10 * MINUTE // SECOND + 60)
        system.prices(xrp="0.49900")
        system.predict("XRP/USD", 0.2)  # reversal: out at 0.49900, a loss after fees
        if trade == 2:
            (warning,) = system.events.of(AlertRaised)
            assert warning.severity is AlertSeverity.WARNING and "3 losing trades" in warning.message
            assert system.halts() == []

    trades = system.events.of(TradeClosed)
    assert [t.exit_reason for t in trades] == [ExitReason.REVERSAL] * 5
    assert all(t.realized_pnl < 0 for t in trades)
    assert system.halts() == ["loss_streak"]
    assert system.halt.state is SystemState.HALTED
    assert system.portfolio.drawdowns().daily < D("0.02")  # the streak halted, not the drawdown

    system.at(3600)
    system.prices(xrp="0.50000")
    system.predict("XRP/USD", 0.95)
    rejection = system.events.last(SignalRejected)
    assert rejection.stage == "halt" and "HALTED (loss_streak" in rejection.reason
    assert system.portfolio.open_positions() == {}


def test_a_drawdown_breach_halts_before_anything_is_closed_and_close_flattens_every_position() -> None:
    system = TradingSystem(
        SimClock(T0), risk=LARGE_POSITIONS, strategy={"sl_pct": Decimal("0.04"), "tp_pct": Decimal("0.08")}
    )
    system.prices(xrp="0.50000", doge="0.1500000")
    system.predict("XRP/USD", 0.9)
    system.predict("DOGE/USD", 0.9)
    opened = system.portfolio.open_positions()
    assert set(opened) == {"XRP/USD", "DOGE/USD"}
    exposure = system.portfolio.total_exposure()

    system.at(60)
    system.prices(xrp="0.48050", doge="0.1441500")  # -3.9 % each: above the 4 % stops, below 2 % equity
    assert system.halts() == ["daily_drawdown"]
    events = system.events.events
    halted_at = events.index(system.events.last(HaltTriggered))
    exits = [i for i, e in enumerate(events) if isinstance(e, OrderFilled) and e.side is Side.SELL]
    assert exits and min(exits) > halted_at  # unrealised loss halted; the close came after
    assert system.events.of(TradeClosed)[0].exit_reason is ExitReason.HALT

    assert system.portfolio.open_positions() == {}
    assert all(p.qty == 0 for p in system.portfolio.ledger.positions.values())
    assert {(t.pair, t.exit_reason) for t in system.events.of(TradeClosed)} == {
        ("XRP/USD", ExitReason.HALT),
        ("DOGE/USD", ExitReason.HALT),
    }
    assert exposure > D(4000)


def test_maintain_keeps_the_positions() -> None:
    system = TradingSystem(
        SimClock(T0),
        risk=LARGE_POSITIONS | {"halt_behaviour": "maintain"},
        strategy={"sl_pct": Decimal("0.04"), "tp_pct": Decimal("0.08")},
    )
    system.prices(xrp="0.50000", doge="0.1500000")
    system.predict("XRP/USD", 0.9)
    system.predict("DOGE/USD", 0.9)
    held = system.portfolio.open_positions()
    system.at(60)
    system.prices(xrp="0.48050", doge="0.1441500")
    assert system.halts() == ["daily_drawdown"]
    assert system.events.last(HaltTriggered).behaviour.value == "maintain"
    assert system.events.of(ClosePosition) == [] and system.events.of(TradeClosed) == []
    assert system.portfolio.open_positions() == held

    system.prices(xrp="0.47900")  # its own 4 % stop still works while halted
    assert [(c.pair, c.reason) for c in system.events.of(ClosePosition)] == [("XRP/USD", ExitReason.SL_HIT)]


async def test_resume_needs_the_recorded_checklist_and_a_restart_comes_back_halted(
    database: Database,
) -> None:
    journal = HaltJournal(HaltRepository(database.sessions))
    signals = SignalRepository(database.sessions)
    clock = SimClock(T0)
    system = TradingSystem(
        clock,
        journal=journal,
        signals=signals,
        risk=LARGE_POSITIONS,
        strategy={"sl_pct": Decimal("0.04"), "tp_pct": Decimal("0.08")},
    )
    system.prices(xrp="0.50000", doge="0.1500000")
    system.predict("XRP/USD", 0.9)
    system.predict("DOGE/USD", 0.9)
    system.at(60)
    system.prices(xrp="0.48050", doge="0.1441500")
    assert system.halts() == ["daily_drawdown"]

    system.at(600)
    for item in ("reason_reviewed", "market_ok", "positions_reconciled"):
        system.halt.complete_checklist_item(item, by="alice", note=f"{item} done")
    with pytest.raises(
        IncompleteChecklistError, match="api_ok, balance_ok, risk_parameters_reviewed, confirm"
    ):
        system.halt.resume("alice")
    system.prices(xrp="0.48050")
    system.predict("XRP/USD", 0.9)
    assert system.events.last(SignalRejected).stage == "halt"
    await journal.queue.flush()
    assert system.recorder is not None
    await system.recorder.queue.flush()
    state = json.loads(json.dumps(system.portfolio.to_state()))

    # -- the process dies; everything is rebuilt from the database and the saved state ----------
    clock = SimClock(T0 + 3600 * SECOND)
    journal = HaltJournal(HaltRepository(database.sessions))
    record = await journal.load_unresolved()
    assert record is not None and record.trigger == "daily_drawdown"
    assert set(record.checklist) == {"reason_reviewed", "market_ok", "positions_reconciled"}
    restarted = TradingSystem(
        clock,
        journal=journal,
        signals=signals,
        risk=LARGE_POSITIONS,
        portfolio_state=state,
        halt_record=record,
    )
    assert restarted.halt.is_halted
    assert restarted.events.last(SystemStateChanged).current is SystemState.HALTED
    assert restarted.portfolio.equity() == system.portfolio.equity()

    restarted.prices(xrp="0.49000")
    restarted.predict("XRP/USD", 0.9)
    assert restarted.events.last(SignalRejected).stage == "halt"

    for item in CHECKLIST_ITEMS[3:]:
        restarted.halt.complete_checklist_item(item, by="bob")
    resumed = restarted.halt.resume("bob")
    assert restarted.halt.state is SystemState.RUNNING
    assert restarted.events.last(HaltResumed).resumed_by == "bob"
    await journal.queue.flush()
    assert await journal.load_unresolved() is None
    (stored,) = await HaltRepository(database.sessions).list_recent()
    assert (stored.resumed_by, stored.trigger) == ("bob", "daily_drawdown")
    assert stored.checklist["market_ok"]["by"] == "alice" and stored.checklist["confirm"]["by"] == "bob"
    assert resumed.resumed_at_ns == T0 + 3600 * SECOND

    restarted.at(3660)
    restarted.prices(xrp="0.50000")
    restarted.predict("XRP/USD", 0.9)
    rejection = restarted.events.last(SignalRejected)  # resumed, but today's drawdown is still 2.2 %
    assert rejection.stage == "halt" and "daily drawdown 2.20% is at its 2.00% limit" in rejection.reason
    assert restarted.halts() == []  # reviewed at resume: the same breach does not HALT again

    restarted.at(14 * 3600 + 60)  # 00:01 UTC the next day: the daily drawdown starts again from zero
    restarted.prices(xrp="0.50000")
    restarted.predict("XRP/USD", 0.9)
    approval = restarted.events.last(SignalApproved)
    assert approval.pair == "XRP/USD"
    assert restarted.recorder is not None
    await restarted.recorder.queue.flush()
    for event, status in (
        (system.events.last(SignalRejected), SignalStatus.REJECTED),
        (approval, SignalStatus.APPROVED),
    ):
        stored_signal = await signals.get(uuid.UUID(event.signal_id))
        assert stored_signal is not None and stored_signal.status is status

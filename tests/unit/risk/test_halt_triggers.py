"""Every HALT trigger: what makes it fire, with which trigger name and reason, and what does not."""

from __future__ import annotations

from decimal import Decimal

import pytest

from galfriday.config.sections.risk import RiskSettings, VolatilityHaltSettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import (
    AlertRaised,
    HaltTriggered,
    MarketDataStale,
    OrderAccepted,
    OrderRejected,
    PositionChanged,
    TradeClosed,
)
from galfriday.core.types import AlertSeverity, ExitReason, Side
from galfriday.core.venue import LOCAL_REJECTION_PREFIX
from galfriday.portfolio.drawdown import Drawdowns
from galfriday.risk.halt import HaltCoordinator
from tests.unit.portfolio._kit import SECOND, T0, D, Recorder, bar, book
from tests.unit.risk._fakes import FakePortfolio

ZERO = Decimal(0)


class Harness:
    def __init__(self, **limits: object) -> None:
        self.clock = SimClock(T0)
        self.bus = SyncBus()
        self.recorder = Recorder(self.bus)
        self.portfolio = FakePortfolio()
        self.halt = HaltCoordinator(RiskSettings(**limits), self.clock, self.bus.publish, self.portfolio)
        self.halt.attach(self.bus)

    def fired(self) -> list[tuple[str, str]]:
        return [(h.trigger, h.reason) for h in self.recorder.of(HaltTriggered)]

    def later(self) -> list[str]:
        record = self.halt.current
        return [] if record is None else [t.trigger for t in record.later_triggers]


@pytest.fixture
def h() -> Harness:
    return Harness()


def position_changed(pair: str = "XRP/USD", qty: str = "100") -> PositionChanged:
    return PositionChanged(
        ts_event=T0,
        ts_init=T0,
        pair=pair,
        qty=D(qty),
        avg_price=D("0.5"),
        realized_pnl=ZERO,
        unrealized_pnl=ZERO,
    )


def trade(pnl: str) -> TradeClosed:
    return TradeClosed(
        ts_event=T0,
        ts_init=T0,
        trade_id="t",
        signal_id=None,
        pair="XRP/USD",
        strategy_id="s",
        side=Side.BUY,
        qty=D(100),
        avg_entry_price=D("0.5"),
        avg_exit_price=D("0.5"),
        entry_time_ns=T0,
        exit_time_ns=T0,
        fees=ZERO,
        realized_pnl=D(pnl),
        realized_pnl_pct=0.0,
        exit_reason=ExitReason.SL_HIT,
    )


def rejected(n: int = 0) -> OrderRejected:
    return OrderRejected(
        ts_event=T0, ts_init=T0, client_order_id=f"c{n}", pair="XRP/USD", reason="EOrder:Insufficient funds"
    )


# -- drawdowns ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("drawdowns", "trigger", "fragment"),
    [
        (
            Drawdowns(D("0.02"), D("0.02"), D("0.02")),
            "daily_drawdown",
            "daily drawdown 2.00% reached the 2.00%",
        ),
        (Drawdowns(D("0.01"), D("0.051"), D("0.051")), "weekly_drawdown", "weekly drawdown 5.10%"),
        (Drawdowns(ZERO, D("0.01"), D("0.15")), "total_drawdown", "total drawdown 15.00% reached the 15.00%"),
    ],
)
def test_each_drawdown_limit_halts(h: Harness, drawdowns: Drawdowns, trigger: str, fragment: str) -> None:
    h.portfolio.positions = {"XRP/USD": D(100)}
    h.portfolio.dd = drawdowns
    h.bus.publish(book("XRP/USD", "0.4", "0.4001"))
    ((name, reason),) = h.fired()
    assert name == trigger and fragment in reason and "unrealised" in reason


def test_drawdown_just_below_the_limit_does_not_halt_and_flat_pairs_are_not_checked(h: Harness) -> None:
    h.portfolio.dd = Drawdowns(D("0.03"), ZERO, ZERO)
    h.bus.publish(book("XRP/USD", "0.4", "0.4001"))  # no position in XRP: nothing to re-check
    assert h.fired() == []
    h.portfolio.dd = Drawdowns(D("0.0199"), ZERO, ZERO)
    h.bus.publish(position_changed())
    assert h.fired() == []


def test_a_drawdown_fires_once_and_again_only_after_recovering(h: Harness) -> None:
    h.portfolio.dd = Drawdowns(D("0.025"), ZERO, ZERO)
    h.bus.publish(position_changed())
    h.bus.publish(position_changed())
    assert len(h.fired()) == 1 and h.later() == []
    h.portfolio.dd = Drawdowns(D("0.01"), ZERO, ZERO)
    h.bus.publish(position_changed())
    h.portfolio.dd = Drawdowns(D("0.03"), ZERO, ZERO)
    h.bus.publish(position_changed())
    assert h.later() == ["daily_drawdown"]


# -- loss streak -------------------------------------------------------------------------------


def test_three_losses_warn_five_halt(h: Harness) -> None:
    for _ in range(3):
        h.bus.publish(trade("-1"))
    (alert,) = h.recorder.of(AlertRaised)
    assert alert.severity is AlertSeverity.WARNING and "3 losing trades in a row" in alert.message
    assert h.fired() == []
    h.bus.publish(trade("-1"))
    h.bus.publish(trade("-0.01"))
    assert h.fired() == [("loss_streak", "5 consecutive losing trades (limit 5)")]


def test_a_winning_trade_ends_the_streak(h: Harness) -> None:
    for pnl in ("-1", "-1", "-1", "-1", "0.5", "-1", "-1", "-1", "-1"):
        h.bus.publish(trade(pnl))
    assert h.fired() == []


# -- API errors --------------------------------------------------------------------------------


def test_three_consecutive_rejected_orders_halt(h: Harness) -> None:
    h.bus.publish(rejected(1))
    h.bus.publish(rejected(2))
    h.bus.publish(
        OrderAccepted(ts_event=T0, ts_init=T0, client_order_id="ok", exchange_order_id="O", pair="XRP/USD")
    )
    h.bus.publish(rejected(3))
    h.bus.publish(rejected(4))
    assert h.fired() == []
    h.bus.publish(rejected(5))
    ((name, reason),) = h.fired()
    assert (
        name == "order_failures"
        and "3 consecutive orders rejected" in reason
        and "Insufficient funds" in reason
    )


def test_local_refusals_are_not_exchange_errors(h: Harness) -> None:
    """A signal refused by our own execution layer (e.g. while halted) says nothing about Kraken."""
    for i in range(5):
        h.bus.publish(
            OrderRejected(ts_event=T0, ts_init=T0, client_order_id=f"l{i}", pair="XRP/USD",
                          reason=f"{LOCAL_REJECTION_PREFIX}pair busy")
        )
    assert h.fired() == []


def test_five_api_errors_within_the_window_halt_but_not_spread_out(h: Harness) -> None:
    for i in range(4):
        h.halt.record_api_error(f"timeout {i}")
        h.clock.advance_to(T0 + (i + 1) * 20 * SECOND)
    h.halt.record_api_error("timeout 4")  # at 80 s: the one at 0 s is out of the window, 4 remain
    assert h.fired() == []
    h.halt.record_api_error("timeout 5")  # 20, 40, 60, 80, 80 s: five within 60 s
    ((name, reason),) = h.fired()
    assert name == "api_errors" and "5 API errors within 60s" in reason and "timeout 5" in reason


# -- stale data, volatility, module failure, manual ----------------------------------------------


def test_stale_market_data_halts(h: Harness) -> None:
    h.bus.publish(
        MarketDataStale(
            ts_event=T0, ts_init=T0, pair="DOGE/USD", last_update_ns=T0 - 61 * SECOND, stale_for_s=61.0
        )
    )
    assert h.fired() == [("stale_market_data", "DOGE/USD: no verified book update for 61.0s")]


def test_a_five_percent_move_within_the_window_halts() -> None:
    h = Harness(volatility_halt=VolatilityHaltSettings(window_s=300, max_move_pct=Decimal("0.05")))
    h.bus.publish(book("XRP/USD", "0.49999", "0.50001", ts=T0))
    h.bus.publish(book("XRP/USD", "0.47999", "0.48001", ts=T0 + 400 * SECOND))  # -4 %, and the 0.50 expired
    h.bus.publish(book("XRP/USD", "0.50399", "0.50401", ts=T0 + 500 * SECOND))  # +5.0 % from 0.48
    ((name, reason),) = h.fired()
    assert name == "volatility" and "XRP/USD moved 5.00% within 300s (0.48000 to 0.50400)" in reason


def test_a_move_spread_over_more_than_the_window_does_not_halt(h: Harness) -> None:
    for i, close in enumerate(("0.5000", "0.4900", "0.4800", "0.4700")):
        h.bus.publish(bar("XRP/USD", close, ts=T0 + i * 200 * SECOND))
    assert h.fired() == []


def test_a_bar_whose_range_is_violent_halts(h: Harness) -> None:
    h.bus.publish(bar("XRP/USD", "0.5000", low="0.4700", high="0.5010"))
    assert [name for name, _ in h.fired()] == ["volatility"]


def test_volatility_halt_can_be_disabled() -> None:
    h = Harness(volatility_halt=VolatilityHaltSettings(enabled=False))
    h.bus.publish(bar("XRP/USD", "0.5000", low="0.4000", high="0.6000"))
    assert h.fired() == []


def test_a_critical_handler_that_keeps_failing_halts() -> None:
    h = Harness()

    def broken(_: object) -> None:
        raise RuntimeError("ledger corrupt")

    h.bus.subscribe(TradeClosed, broken, name="portfolio.critical", critical=True)
    h.bus.publish(trade("1"))
    h.bus.publish(trade("1"))
    assert h.fired() == []
    h.bus.publish(trade("1"))
    ((name, reason),) = h.fired()
    assert name == "module_failure"
    assert "portfolio.critical keeps failing on TradeClosed (RuntimeError: ledger corrupt)" in reason


def test_manual_halt_names_who(h: Harness) -> None:
    h.halt.halt("exchange maintenance announced", by="alice")
    assert h.fired() == [("manual", "exchange maintenance announced (by alice)")]


def test_after_resume_a_reviewed_breach_does_not_halt_again_until_it_recovers(h: Harness) -> None:
    h.portfolio.dd = Drawdowns(D("0.025"), ZERO, ZERO)
    h.bus.publish(position_changed())
    for item in (
        "reason_reviewed",
        "market_ok",
        "positions_reconciled",
        "api_ok",
        "balance_ok",
        "risk_parameters_reviewed",
        "confirm",
    ):
        h.halt.complete_checklist_item(item, by="alice")
    h.halt.resume("alice")
    h.bus.publish(position_changed())
    assert len(h.fired()) == 1 and not h.halt.is_halted
    h.portfolio.dd = Drawdowns(D("0.001"), ZERO, ZERO)  # e.g. the daily reset at 00:00 UTC
    h.bus.publish(position_changed())
    h.portfolio.dd = Drawdowns(D("0.02"), ZERO, ZERO)
    h.bus.publish(position_changed())
    assert len(h.fired()) == 2 and h.halt.is_halted

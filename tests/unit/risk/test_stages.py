"""Every risk stage, its rejection (stage + reason) and what it hands to the next stage."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from galfriday.config.sections.risk import RiskSettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import SignalApproved, SignalRejected, decode_event, encode_event
from galfriday.core.types import HaltBehaviour, OrderType, Side
from galfriday.portfolio.drawdown import Drawdowns
from galfriday.risk.halt_record import HaltRecord
from galfriday.risk.manager import RiskDecision, RiskManager
from tests.unit.portfolio._kit import INSTRUMENTS, T0, D, Recorder, signal
from tests.unit.risk._fakes import FakeHalt, FakePortfolio


def risk(
    portfolio: FakePortfolio | None = None, halt: FakeHalt | None = None, **limits: object
) -> RiskManager:
    return RiskManager(
        RiskSettings(**limits),
        INSTRUMENTS,
        portfolio or FakePortfolio(),
        halt or FakeHalt(),
        SimClock(T0),
        SyncBus().publish,
    )


def rejected(decision: RiskDecision, stage: str, *fragments: str) -> None:
    assert not decision.approved, "expected a rejection, got an approval"
    assert decision.stage == stage, decision.reason
    for fragment in fragments:
        assert fragment in decision.reason, decision.reason
    assert decision.details["stages"][-1] == {
        **decision.details["stages"][-1],
        "stage": stage,
        "passed": False,
    }


# -- validate ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proposal", "fragment"),
    [
        (signal("BTC/USD"), "unknown pair 'BTC/USD'"),
        (signal(side=Side.SELL), "spot is long-only"),
        (signal(entry=None, entry_type=OrderType.LIMIT), "LIMIT entry needs a positive entry price"),
        (signal(entry="0.48000"), "SL < entry < TP"),
        (signal(tp="0.49500"), "SL < entry < TP"),
        (signal(sl="0"), "must be positive"),
        (signal(entry_type=OrderType.STOP_LOSS), "not allowed"),
        (signal(entry=None, sl="0.53", tp="0.52"), "must be below TP"),
    ],
)
def test_validate_refuses_incomplete_or_wrong_way_signals(proposal, fragment: str) -> None:  # type: ignore[no-untyped-def]
    rejected(risk().check(proposal), "validate", fragment)


# -- round -------------------------------------------------------------------------------------


def test_round_moves_prices_to_the_tick_on_the_safe_side() -> None:
    decision = risk().check(signal(entry="0.500009", sl="0.490001", tp="0.520001"))
    assert decision.approved
    assert (decision.entry_price, decision.sl_price, decision.tp_price) == (
        D("0.50000"),
        D("0.49000"),
        D("0.52001"),
    )


def test_round_rejects_a_stop_that_lands_on_the_entry() -> None:
    rejected(risk().check(signal(entry="0.500009", sl="0.500001")), "round", "not below the entry")


# -- fat finger --------------------------------------------------------------------------------


def test_a_limit_six_percent_from_mid_is_a_fat_finger() -> None:
    portfolio = FakePortfolio(prices={"XRP/USD": D("0.50000")})
    rejected(
        risk(portfolio).check(signal(entry="0.53000", sl="0.52000", tp="0.56000")),
        "fat_finger",
        "6.00% from the mid 0.50000",
        "5.00%",
    )
    assert risk(portfolio).check(signal(entry="0.52500", sl="0.51500", tp="0.55000")).approved  # 5 % is fine


def test_no_mid_no_trade_and_market_orders_are_priced_at_mid() -> None:
    rejected(risk(FakePortfolio(prices={})).check(signal()), "fat_finger", "no market price")
    decision = risk().check(signal(entry=None))
    assert decision.approved and decision.entry_price is None and decision.price == D("0.5")
    rejected(risk().check(signal(entry=None, sl="0.50000", tp="0.52")), "fat_finger", "between SL")


# -- size --------------------------------------------------------------------------------------


def test_worked_example_100k_equity_half_percent_risk_two_percent_stop() -> None:
    """$100,000 × 0.5 % = $500 at risk; a 2 % stop (0.01 on 0.50) → 50,000 XRP = $25,000 notional,
    capped to $10,000 by the 10 % per-asset cap and by the $10,000 max order value: 20,000 XRP."""
    decision = risk().check(signal(entry="0.50000", sl="0.49000", tp="0.52000"))
    assert decision.approved
    stages = {s["stage"]: s for s in decision.details["stages"]}
    assert stages["size"]["out"]["risk_amount"] == 500
    assert stages["size"]["out"]["qty"] == 50_000
    assert stages["size"]["out"]["notional"] == 25_000
    assert stages["exposure"]["out"] == {"qty": 20_000, "reduced": True, "notional": 10_000}
    assert stages["exposure"]["in"]["asset_cap"] == 10_000
    assert stages["order_value"]["out"]["reduced"] is False
    assert decision.qty == D(20_000) and decision.qty * decision.price == D(10_000)


def test_the_max_order_value_caps_when_exposure_does_not() -> None:
    decision = risk(max_exposure_per_asset_pct=Decimal("0.5"), max_total_exposure_pct=Decimal("0.5")).check(
        signal()
    )
    stages = {s["stage"]: s for s in decision.details["stages"]}
    assert stages["exposure"]["out"]["reduced"] is False
    assert stages["order_value"]["out"]["reduced"] is True
    assert decision.qty * decision.price == D(10_000)


def test_a_size_that_rounds_below_ordermin_is_rejected_naming_the_minimum() -> None:
    # $200 equity × 0.5 % = $1 at risk over a 0.01 stop = 100 XRP: fine. Over a 0.2 stop: 5 XRP < ordermin 10.
    portfolio = FakePortfolio(equity_value=D(200), free=D(200))
    rejected(
        risk(portfolio).check(signal(entry="0.50000", sl="0.30000", tp="0.90000")),
        "size",
        "5.00000000 XRP is below the minimum order of 20.00000000 XRP",
        "min order value 10 USD",
    )
    portfolio = FakePortfolio(equity_value=D(200), free=D(200), prices={"XRP/USD": D("2.00000")})
    rejected(
        risk(portfolio).check(signal(entry="2.00000", sl="1.20000", tp="3.00000")),
        "size",
        "below the minimum order of 10.00000000 XRP",
        "Kraken ordermin 10",
    )


# -- exposure ----------------------------------------------------------------------------------


def test_exposure_reduces_to_the_room_left_and_rejects_when_none_is() -> None:
    portfolio = FakePortfolio(exposures={"XRP/USD": D(6_000), "DOGE/USD": D(12_000)})
    decision = risk(portfolio).check(signal())
    assert decision.approved and decision.qty * decision.price == D(4_000)  # per asset: 10k - 6k

    portfolio.exposures = {"XRP/USD": D(1_000), "DOGE/USD": D(22_000)}
    decision = risk(portfolio).check(signal())
    assert decision.qty * decision.price == D(2_000)  # total: 25k - 23k

    portfolio.exposures = {"XRP/USD": D(9_995)}
    rejected(
        risk(portfolio).check(signal()),
        "exposure",
        "per-asset exposure cap leaves room for 5",
        "below the minimum order",
    )


def test_unreserved_approvals_count_against_the_caps() -> None:
    """Two signals checked before the portfolio has seen the first approval share one cap."""
    portfolio = FakePortfolio()
    manager = risk(portfolio)
    manager.on_signal_proposed(signal())  # approved: $10,000 of XRP, not yet reserved by the portfolio
    rejected(manager.check(signal()), "exposure", "per-asset exposure cap leaves room for 0")
    portfolio.seen = 1
    portfolio.exposures = {"XRP/USD": D(10_000)}  # now the portfolio holds the reservation itself
    rejected(manager.check(signal()), "exposure", "room for 0")
    portfolio.exposures = {}
    assert manager.check(signal()).approved


# -- order value -------------------------------------------------------------------------------


def test_order_value_rejects_when_the_max_leaves_less_than_kraken_minimums() -> None:
    """A pair whose ordermin (30,000 units = $15,000) exceeds the $10,000 max order value."""
    big = msgspec.structs.replace(INSTRUMENTS["XRP/USD"], ordermin=D(30_000))
    manager = RiskManager(
        RiskSettings(max_exposure_per_asset_pct=Decimal(1), max_total_exposure_pct=Decimal(1)),
        {"XRP/USD": big},
        FakePortfolio(),
        FakeHalt(),
        SimClock(T0),
        SyncBus().publish,
    )
    decision = manager.check(signal())
    rejected(
        decision,
        "order_value",
        "the max order value 10000",
        "20000.00000000 XRP is below the minimum order of 30000.00000000 XRP (Kraken ordermin 30000)",
    )
    assert decision.details["stages"][-1]["in"]["binding_minimum"] == "Kraken ordermin 30000"


# -- balance -----------------------------------------------------------------------------------


def test_insufficient_free_balance_is_rejected() -> None:
    portfolio = FakePortfolio(free=D(5))
    rejected(
        risk(portfolio).check(signal()),
        "balance",
        "insufficient free balance: 5 USD free",
        "incl. the taker fee",
        "below the minimum order",
    )


def test_balance_reduces_to_what_free_cash_covers_with_the_fee() -> None:
    portfolio = FakePortfolio(free=D(1002.6))
    decision = risk(portfolio).check(signal())
    assert decision.approved
    assert decision.qty == D(2000)  # 2000 × 0.5 × 1.0026 = 1002.6
    assert decision.cost == D("1002.6000")


# -- halt --------------------------------------------------------------------------------------


def test_a_halted_system_rejects_entries_at_the_halt_stage() -> None:
    record = HaltRecord("h1", "loss_streak", "5 consecutive losing trades", HaltBehaviour.CLOSE, T0)
    rejected(risk(halt=FakeHalt(record)).check(signal()), "halt", "HALTED (loss_streak: 5 consecutive")


def test_a_drawdown_at_its_limit_rejects_even_before_the_halt_latches() -> None:
    portfolio = FakePortfolio(dd=Drawdowns(daily=D("0.02"), weekly=D("0.02"), total=D("0.02")))
    rejected(risk(portfolio).check(signal()), "halt", "daily drawdown 2.00% is at its 2.00% limit")


# -- events ------------------------------------------------------------------------------------


def test_approval_and_rejection_events_carry_details_for_the_signals_table() -> None:
    bus = SyncBus()
    recorder = Recorder(bus)
    manager = RiskManager(RiskSettings(), INSTRUMENTS, FakePortfolio(), FakeHalt(), SimClock(T0), bus.publish)
    manager.attach(bus)
    proposal = signal()
    bus.publish(proposal)
    approval = recorder.last(SignalApproved)
    assert (approval.signal_id, approval.qty, approval.entry_price) == (
        proposal.signal_id,
        D(20000),
        D("0.5"),
    )
    assert [s["stage"] for s in approval.risk_details["stages"]] == [
        "validate",
        "round",
        "fat_finger",
        "size",
        "exposure",
        "order_value",
        "balance",
        "halt",
    ]
    assert approval.risk_details["final"]["qty"] == 20_000
    # on the wire (and in the JSON column) every Decimal is an exact string
    wire = decode_event(encode_event(approval))
    assert wire.risk_details["final"]["qty"] == "20000.00000000"  # type: ignore[attr-defined]

    bus.publish(signal(side=Side.SELL))
    rejection = recorder.last(SignalRejected)
    assert rejection.stage == "validate" and "long-only" in rejection.reason
    assert rejection.risk_details["stages"][0]["passed"] is False

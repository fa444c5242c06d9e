"""The latched HALT: behaviours, later triggers, the recovery checklist, resume and restore."""

from __future__ import annotations

import pytest

from galfriday.config.sections.risk import RiskSettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import (
    AlertRaised,
    CancelOrder,
    ClosePosition,
    HaltResumed,
    HaltTriggered,
    PositionChanged,
    SystemStateChanged,
)
from galfriday.core.types import ExitReason, HaltBehaviour, SystemState
from galfriday.risk.halt import HaltCoordinator
from galfriday.risk.halt_record import CHECKLIST_ITEMS, HaltError, HaltRecord, IncompleteChecklistError
from tests.unit.portfolio._kit import SECOND, T0, D, Recorder
from tests.unit.risk._fakes import FakePortfolio


class Setup:
    def __init__(self, behaviour: str = "close") -> None:
        self.clock = SimClock(T0)
        self.bus = SyncBus()
        self.recorder = Recorder(self.bus)
        self.portfolio = FakePortfolio(
            positions={"XRP/USD": D(1000), "DOGE/USD": D(5000)},
            entry_orders=[("entry-1", "XRP/USD")],
        )
        self.journal: list[HaltRecord] = []
        self.halt = HaltCoordinator(
            RiskSettings(halt_behaviour=behaviour),
            self.clock,
            self.bus.publish,
            self.portfolio,
            journal=self.journal.append,
        )
        self.halt.attach(self.bus)

    def complete(self, *items: str) -> None:
        for item in items:
            self.halt.complete_checklist_item(item, by="alice", note=f"checked {item}")


def test_close_flattens_every_position_and_cancels_pending_entries() -> None:
    s = Setup("close")
    s.halt.fire("daily_drawdown", "daily drawdown 2.10%")

    assert s.halt.is_halted and s.halt.state is SystemState.HALTED
    (triggered,) = s.recorder.of(HaltTriggered)
    assert (triggered.trigger, triggered.behaviour) == ("daily_drawdown", HaltBehaviour.CLOSE)
    (state,) = s.recorder.of(SystemStateChanged)
    assert (state.previous, state.current) == (SystemState.RUNNING, SystemState.HALTED)
    assert [(c.client_order_id, c.reason) for c in s.recorder.of(CancelOrder)] == [("entry-1", "HALT")]
    assert {(c.pair, c.reason) for c in s.recorder.of(ClosePosition)} == {
        ("XRP/USD", ExitReason.HALT),
        ("DOGE/USD", ExitReason.HALT),
    }


def test_maintain_keeps_positions_but_still_cancels_entries() -> None:
    s = Setup("maintain")
    s.halt.fire("stale_market_data", "XRP/USD: no verified book update for 61.0s")
    assert s.recorder.of(ClosePosition) == []
    assert [c.client_order_id for c in s.recorder.of(CancelOrder)] == ["entry-1"]
    assert s.recorder.last(HaltTriggered).behaviour is HaltBehaviour.MAINTAIN


def test_a_manual_halt_may_choose_its_behaviour() -> None:
    s = Setup("close")
    s.halt.halt("watching a news event", by="bob", behaviour=HaltBehaviour.MAINTAIN)
    assert s.recorder.of(ClosePosition) == []


def test_a_second_trigger_is_recorded_the_halt_stays_and_the_review_restarts() -> None:
    s = Setup("close")
    s.halt.fire("loss_streak", "5 consecutive losing trades")
    s.complete("reason_reviewed", "market_ok")
    s.recorder.clear()
    s.clock.advance_to(T0 + SECOND)
    s.halt.fire("api_errors", "5 API errors within 60s")

    record = s.halt.current
    assert record is not None and record.trigger == "loss_streak"
    assert [(t.trigger, t.at_ns) for t in record.later_triggers] == [("api_errors", T0 + SECOND)]
    assert record.missing_items == CHECKLIST_ITEMS
    assert s.recorder.of(HaltTriggered) == [] and s.recorder.of(ClosePosition) == []
    assert "HALT trigger while halted: api_errors" in s.recorder.last(AlertRaised).title


def test_a_position_that_appears_while_halted_with_close_is_closed_once() -> None:
    s = Setup("close")
    s.portfolio.positions = {}
    s.halt.fire("manual", "test")
    late = PositionChanged(
        ts_event=T0,
        ts_init=T0,
        pair="XRP/USD",
        qty=D(300),
        avg_price=D("0.5"),
        realized_pnl=D(0),
        unrealized_pnl=D(0),
    )
    s.bus.publish(late)
    s.bus.publish(late)
    assert [c.pair for c in s.recorder.of(ClosePosition)] == ["XRP/USD"]


def test_resume_requires_every_checklist_item_and_names_the_missing_ones() -> None:
    s = Setup()
    s.halt.fire("loss_streak", "5 consecutive losing trades")
    s.complete("reason_reviewed", "market_ok", "positions_reconciled")
    with pytest.raises(IncompleteChecklistError) as failure:
        s.halt.resume("alice")
    assert failure.value.missing == ("api_ok", "balance_ok", "risk_parameters_reviewed", "confirm")
    assert "api_ok, balance_ok, risk_parameters_reviewed, confirm" in str(failure.value)
    assert "complete_checklist_item" in str(failure.value)
    assert s.halt.is_halted

    with pytest.raises(HaltError, match="confirm comes last: first complete api_ok"):
        s.halt.complete_checklist_item("confirm", by="alice")
    with pytest.raises(HaltError, match="unknown checklist item 'vibes'"):
        s.halt.complete_checklist_item("vibes", by="alice")
    with pytest.raises(HaltError, match="needs the name of the person"):
        s.halt.complete_checklist_item("api_ok", by=" ")

    s.clock.advance_to(T0 + 10 * SECOND)
    remaining = s.halt.complete_checklist_item("api_ok", by="bob", note="private API answers")
    assert remaining == ("balance_ok", "risk_parameters_reviewed", "confirm")
    s.complete("balance_ok", "risk_parameters_reviewed", "confirm")
    record = s.halt.resume("alice")

    assert not s.halt.is_halted and s.halt.state is SystemState.RUNNING
    assert (record.resumed_by, record.resumed_at_ns) == ("alice", T0 + 10 * SECOND)
    assert record.checklist["api_ok"].by == "bob" and record.checklist["api_ok"].at_ns == T0 + 10 * SECOND
    resumed = s.recorder.last(HaltResumed)
    assert resumed.resumed_by == "alice" and resumed.checklist["api_ok"]["note"] == "private API answers"
    assert s.recorder.last(SystemStateChanged).current is SystemState.RUNNING


def test_every_change_goes_to_the_journal() -> None:
    s = Setup()
    s.halt.fire("volatility", "XRP/USD moved 6%")
    s.complete(*CHECKLIST_ITEMS)
    s.halt.resume("alice")
    assert len(s.journal) == 1 + len(CHECKLIST_ITEMS) + 1
    assert s.journal[0].checklist == {} and s.journal[-1].resumed_by == "alice"
    assert len({r.halt_id for r in s.journal}) == 1


def test_resume_without_a_halt_and_items_without_a_halt_are_errors() -> None:
    s = Setup()
    with pytest.raises(HaltError, match="not halted: nothing to resume"):
        s.halt.resume("alice")
    with pytest.raises(HaltError, match="no recovery checklist"):
        s.halt.complete_checklist_item("api_ok", by="alice")


def test_restore_comes_back_halted_and_enforces_close_again() -> None:
    s = Setup("close")
    record = HaltRecord(
        "7c1f0c5e-0000-4000-8000-000000000001",
        "total_drawdown",
        "15% down",
        HaltBehaviour.CLOSE,
        T0 - 3600 * SECOND,
    )
    s.halt.restore(record)
    assert s.halt.is_halted and s.halt.current == record
    state = s.recorder.last(SystemStateChanged)
    assert (state.previous, state.current) == (SystemState.STARTING, SystemState.HALTED)
    assert {c.pair for c in s.recorder.of(ClosePosition)} == {"XRP/USD", "DOGE/USD"}
    assert s.recorder.of(HaltTriggered) == []  # the HALT is not new


def test_resume_resets_counting_triggers() -> None:
    s = Setup()
    s.halt.fire("manual", "x")
    s.complete(*CHECKLIST_ITEMS)
    loss_streak = s.halt.triggers["loss_streak"]
    loss_streak.streak = 4  # type: ignore[attr-defined]
    s.halt.resume("alice")
    assert loss_streak.streak == 0  # type: ignore[attr-defined]

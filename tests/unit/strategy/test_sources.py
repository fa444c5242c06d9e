"""The rule strategies need no model: RSI thresholds and SMA crossovers from bar closes."""

from __future__ import annotations

import pytest

from galfriday.config.sections.signal import StrategySettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import ClosePosition, PositionChanged, SignalProposed
from galfriday.portfolio.order_tags import OrderTagRegistry
from galfriday.strategy.arbitrator import StrategyArbitrator
from galfriday.strategy.intents import Action
from galfriday.strategy.sources import RsiRule, RsiThresholdSource, SmaCrossoverSource, SmaCrossRule
from tests.unit.portfolio._kit import INSTRUMENTS, MINUTE, T0, D, Recorder, bar


def closes(pair: str, values: list[float]) -> list:  # type: ignore[type-arg]
    return [bar(pair, f"{v:.5f}", ts=T0 + i * MINUTE) for i, v in enumerate(values)]


def test_rsi_enters_when_oversold_and_exits_when_overbought() -> None:
    source = RsiThresholdSource(RsiRule(period=5, enter_below=30, exit_above=70))
    falling = [0.50 - 0.002 * i for i in range(8)]
    intents = [source.on_bar(b) for b in closes("XRP/USD", falling + [0.49 + 0.01 * i for i in range(8)])]
    actions = [i.action for i in intents if i is not None]
    assert actions[0] is Action.ENTER and actions[-1] is Action.EXIT
    first = next(i for i in intents if i is not None)
    assert first.why.startswith("RSI(5) 0.0 < 30")


def test_sma_crossover_enters_on_the_cross_up_and_exits_on_the_cross_down() -> None:
    source = SmaCrossoverSource(SmaCrossRule(fast=2, slow=4))
    prices = [0.50, 0.49, 0.48, 0.47, 0.46, 0.50, 0.54, 0.55, 0.50, 0.45, 0.44]
    actions = [
        (i, intent.action)
        for i, intent in enumerate(source.on_bar(b) for b in closes("XRP/USD", prices))
        if intent is not None
    ]
    assert actions == [(5, Action.ENTER), (9, Action.EXIT)]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: RsiThresholdSource(RsiRule(enter_below=70, exit_above=30)), "enter_below < exit_above"),
        (lambda: SmaCrossoverSource(SmaCrossRule(fast=30, slow=10)), "fast < slow"),
    ],
)
def test_inconsistent_rules_are_refused(build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        build()


def test_the_arbitrator_runs_a_rule_strategy_end_to_end() -> None:
    bus, clock = SyncBus(), SimClock(T0)
    recorder = Recorder(bus)
    arbitrator = StrategyArbitrator(
        StrategySettings(id="sma-baseline"),
        INSTRUMENTS,
        clock,
        bus.publish,
        OrderTagRegistry(),
        sources=[SmaCrossoverSource(SmaCrossRule(fast=2, slow=4))],
    )
    arbitrator.attach(bus)
    prices = [0.50, 0.49, 0.48, 0.47, 0.46, 0.50]
    for b in closes("XRP/USD", prices):
        bus.publish(b)
    (proposal,) = recorder.of(SignalProposed)
    assert proposal.strategy_id == "sma-baseline" and proposal.entry_price == D("0.50000")
    assert proposal.prediction_event_id is None

    bus.publish(
        PositionChanged(
            ts_event=T0,
            ts_init=T0,
            pair="XRP/USD",
            qty=D(100),
            avg_price=D("0.5"),
            realized_pnl=D(0),
            unrealized_pnl=D(0),
        )
    )
    for b in closes("XRP/USD", [0.505, 0.5, 0.497, 0.496]):
        bus.publish(b)
    assert [c.reason.value for c in recorder.of(ClosePosition)] == ["REVERSAL"]

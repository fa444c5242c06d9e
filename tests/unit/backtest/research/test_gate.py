"""The warm-up gate: sources see every bar (their indicators warm up) but nothing is traded before
the test start; from then on the run trades exactly as an ungated one."""

from __future__ import annotations

from galfriday.backtest import StrategyKind, StrategySpec
from galfriday.backtest.research.gate import GatedStrategySpec
from galfriday.strategy import SmaCrossRule
from tests.unit.backtest._kit import MINUTE, T0, bars, cross_up_then_down, permissive, run

SMA = StrategySpec(StrategyKind.SMA, sma=SmaCrossRule(2, 4))
FIRST = cross_up_then_down()
SECOND = [FIRST[-1] + 0.01 * (i + 1) for i in range(6)] + [FIRST[-1] + 0.06 - 0.02 * i for i in range(6)]
CLOSES = FIRST + SECOND  # two round trips


def entries(trade_from_ns: int) -> list[int]:
    result = run(permissive(), bars("XRP/USD", CLOSES), strategy=GatedStrategySpec.of(SMA, trade_from_ns))
    return [(t.entry_time_ns - T0) // MINUTE for t in result.trades]


def test_a_gate_at_the_start_changes_nothing() -> None:
    ungated = run(permissive(), bars("XRP/USD", CLOSES), strategy=SMA)
    gated = run(permissive(), bars("XRP/USD", CLOSES), strategy=GatedStrategySpec.of(SMA, T0))
    assert gated.fingerprint == ungated.fingerprint and len(ungated.trades) == 2
    assert GatedStrategySpec.of(SMA, T0).describe() == SMA.describe() | {"trade_from_ns": T0}


def test_signals_before_the_gate_are_dropped_and_warm_indicators_trade_right_after_it() -> None:
    assert entries(T0) == [7, 20]  # signals at the closes of minutes 6 and 19
    assert entries(T0 + 7 * MINUTE) == [20]  # the first cross is before the gate
    assert entries(T0 + 19 * MINUTE) == [20]  # a decision at the gate's own bar close may trade
    assert entries(T0 + 19 * MINUTE + 1) == []  # the cross happened just before: no entry, no trade

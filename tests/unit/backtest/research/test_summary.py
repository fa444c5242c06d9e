"""A run cut to its test window, and windows stitched into one out-of-sample run."""

from __future__ import annotations

from decimal import Decimal

import pytest

from galfriday.backtest import StrategyKind, StrategySpec
from galfriday.backtest.research.errors import ResearchError
from galfriday.backtest.research.gate import GatedStrategySpec
from galfriday.backtest.research.summary import RunSummary, stitch, summarise
from galfriday.strategy import SmaCrossRule
from tests.unit.backtest._kit import MINUTE, T0, bars, cross_up_then_down, permissive, run

SMA = StrategySpec(StrategyKind.SMA, sma=SmaCrossRule(2, 4))
CASH = Decimal(10_000)


def window(start_ns: int) -> RunSummary:
    """A test window starting at ``start_ns`` after five warm-up bars, one round trip in it."""
    closes = [1.0] * 5 + cross_up_then_down()
    candles = bars("XRP/USD", closes, start_ns=start_ns - 5 * MINUTE)
    result = run(permissive(), candles, strategy=GatedStrategySpec.of(SMA, start_ns))
    return summarise(result, start_ns)


def test_a_run_is_cut_to_its_window_and_its_metrics_recomputed_there() -> None:
    start = T0 + 5 * MINUTE
    cut = window(start)
    assert cut.start_ns == start == cut.equity[0][0] and cut.equity[0][1] == CASH
    assert all(ts >= start for ts, _ in cut.equity) and cut.metrics.trades == len(cut.trades) == 1
    assert cut.metrics.span_s == (cut.end_ns - start) / 1e9
    assert cut.metrics.final_equity == cut.equity[-1][1] == CASH + cut.trades[0].realized_pnl


def test_a_trade_before_the_window_means_the_gate_leaked() -> None:
    ungated = run(permissive(), bars("XRP/USD", cross_up_then_down()), strategy=SMA)
    with pytest.raises(ResearchError, match=r"entered before the window's start .* report this as a bug"):
        summarise(ungated, ungated.trades[0].entry_time_ns + 1)


def test_windows_are_stitched_by_adding_their_profit_and_loss() -> None:
    first = window(T0)
    second = window(first.end_ns)  # starts where the first ended
    combined = stitch([first, second], interval_s=60)
    pnl = [w.equity[-1][1] - w.equity[0][1] for w in (first, second)]
    assert combined.equity[-1][1] == CASH + pnl[0] + pnl[1]
    assert [t for t, _ in combined.equity] == sorted({t for w in (first, second) for t, _ in w.equity})
    assert combined.trades == first.trades + second.trades and combined.metrics.trades == 2
    assert combined.metrics.fees_paid == first.metrics.fees_paid + second.metrics.fees_paid
    assert (combined.start_ns, combined.end_ns) == (first.start_ns, second.end_ns)
    with pytest.raises(ResearchError, match="nothing to stitch"):
        stitch([], interval_s=60)

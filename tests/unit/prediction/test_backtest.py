"""The mini-backtest's cost model, trade by trade, computed by hand."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from galfriday.features.candles import CandleColumns
from galfriday.prediction.backtest import CostModel, TradingRules, mini_backtest
from galfriday.prediction.datasets import build_dataset
from galfriday.prediction.labels import LabelSpec
from tests.unit.prediction import stubs

FEE = 0.0026
KEEP = (1 - FEE) ** 2  # what is left of a round trip's value after both taker fees


def candles(opens, highs, lows, closes) -> CandleColumns:
    n = len(opens)
    return CandleColumns(
        np.arange(n, dtype=np.int64) * 300 * 10**9,
        *(np.asarray(x, dtype=float) for x in (opens, highs, lows, closes)),
        np.ones(n),
    )


RULES = TradingRules(max_holding_bars=3)
FLAT = [100] * 5
COSTS = CostModel()  # the taker fee on both legs, no slippage


def run(p_up, bars, rules=RULES, costs=COSTS):
    return mini_backtest(np.asarray(p_up, dtype=float), np.arange(len(p_up)), bars, 300, rules, costs)


def test_entry_at_the_next_open_and_take_profit_net_of_both_fees() -> None:
    bars = candles([99, 100, 100, 100, 100], [100, 105, 101, 101, 101], [98.5, 99, 99, 99, 99], FLAT)
    result = run([0.9, 0.5, 0.5], bars)
    assert result.trade_returns == pytest.approx((KEEP * 104 / 100 - 1,))
    assert result.win_rate == 1.0 and result.profit_factor is None and result.n_trades == 1


def test_a_bar_touching_stop_and_target_is_a_stop() -> None:
    bars = candles(FLAT, [100, 105, 101, 101, 101], [100, 97, 99, 99, 99], FLAT)
    assert run([0.9, 0.5, 0.5], bars).trade_returns == pytest.approx((KEEP * 98 / 100 - 1,))


def test_a_gap_through_the_stop_fills_at_the_open() -> None:
    bars = candles(
        [100, 100, 95, 95, 95], [101, 101, 96, 96, 96], [99, 99, 94, 94, 94], [100, 100, 95, 95, 95]
    )
    assert run([0.9, 0.5, 0.5], bars).trade_returns == pytest.approx((KEEP * 95 / 100 - 1,))


def test_time_exit_and_reversal_exit() -> None:
    bars = candles(FLAT, [101] * 5, [99] * 5, [100, 100, 100, 100.5, 100])
    timed = run([0.9, 0.5, 0.5, 0.5], bars)  # entry bar 1, third bar held is bar 3: exit at its close
    assert timed.trade_returns == pytest.approx((KEEP * 100.5 / 100 - 1,))
    assert timed.win_rate == 0.0  # +0.5 % does not pay 0.52 % of fees
    reversed_ = run([0.9, 0.2, 0.5, 0.5], candles([100, 100, 101, 101, 101], [102] * 5, [99] * 5, FLAT))
    assert reversed_.trade_returns == pytest.approx((KEEP * 101 / 100 - 1,))  # out at bar 2's open


def test_slippage_is_charged_on_both_legs_and_no_signal_means_no_trade() -> None:
    bars = candles(FLAT, [101] * 5, [99] * 5, FLAT)
    slipped = run([0.9, 0.5, 0.5, 0.5], bars, costs=CostModel(slippage_bps=10))
    assert slipped.trade_returns == pytest.approx((KEEP * (1 - 0.001) / (1 + 0.001) - 1,))
    idle = run([0.5, 0.5, 0.5], bars)
    assert (idle.n_trades, idle.sharpe, idle.net_return, idle.win_rate) == (0, 0.0, 0.0, None)


def test_sharpe_is_annualised_from_the_bar_returns() -> None:
    bars = candles([100, 100, 101, 100, 102], [103] * 5, [99] * 5, [100, 101, 100, 102, 101])
    result = run([0.9, 0.9, 0.9, 0.9], bars, TradingRules(max_holding_bars=10, exit_on_reversal=False))
    assert result.n_trades == 1 and result.exposure == 1.0
    marks = np.array(
        [1.0, (1 - FEE) * 101 / 100, (1 - FEE) * 100 / 100, (1 - FEE) * 102 / 100, KEEP * 101 / 100]
    )
    returns = marks[1:] / marks[:-1] - 1
    expected = returns.mean() / returns.std(ddof=1) * np.sqrt(365 * 24 * 12)
    assert result.sharpe == pytest.approx(expected)


def test_trading_every_up_label_for_its_horizon_wins_after_fees(xrp_5m: pa.Table) -> None:
    """Labels and the backtest agree: an oracle of the cost-aware label never loses net of fees."""
    ds = build_dataset(xrp_5m, stubs.bars_v1(), LabelSpec(horizon=6), pair="XRP/USDT")
    rows = ds.usable()
    oracle = np.where(ds.labels[rows] == 1, 0.9, 0.1)
    rules = TradingRules(stop_loss=0.5, take_profit=0.04, max_holding_bars=6, exit_on_reversal=False)
    result = mini_backtest(oracle, rows, ds.bars, ds.interval_s, rules)
    assert result.n_trades > 50 and result.win_rate == 1.0 and result.sharpe > 0

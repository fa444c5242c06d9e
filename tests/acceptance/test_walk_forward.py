"""Walk-forward on real XRP 5-minute candles (../shared/data): a model retrained per window sees
only its training range, a rule strategy is re-optimised on its training range only, and the
results are the same in this process, in worker processes and on Ray."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as parquet
import pytest

from galfriday.backtest import StrategyKind, StrategySpec
from galfriday.backtest.research import (
    MarketData,
    ModelRecipe,
    ProcessRunner,
    Reoptimise,
    ResearchSetup,
    TaskFailed,
    WalkForwardPlan,
    WalkForwardResult,
    Window,
    WindowOutcome,
    WindowSpec,
    default_space,
    optimise,
    walk_forward,
)
from galfriday.backtest.research.runner import ray_available
from galfriday.backtest.research.trials import BacktestTrial
from galfriday.backtest.research.walk_forward import WindowTask
from galfriday.config import Settings
from tests.acceptance._backtest_kit import XRP_5M
from tests.conftest import IN_CI

DAY = 86_400 * 1_000_000_000
BAR = 300 * 1_000_000_000
HORIZON = 12
SETTINGS = Settings.model_validate(
    {
        "pairs": ["XRP/USD"],
        "features": {"feature_set": "bars_v1"},
        "strategy": {
            "entry_order_type": "MARKET",
            "sl_pct": "0.01",
            "tp_pct": "0.02",
            "max_holding_s": 7200,
            "buy_threshold": 0.55,
            "sell_threshold": 0.4,
        },
        "risk": {"loss_streak_halt": 1000, "loss_streak_warn": 999, "volatility_halt": {"enabled": False}},
        "backtest": {"fill_model": "bar", "latency_ms": 0},
    }
)
#: 1,999 candles (6.9 days): four windows of two days' training and one day's test.
MODEL_PLAN = WalkForwardPlan(
    WindowSpec(2 * DAY, DAY), StrategySpec(StrategyKind.MODEL), ModelRecipe(horizon=HORIZON), warmup_bars=100
)


def setup_for(shared_data: Path, end_ns: int | None = None) -> ResearchSetup:
    data = MarketData((f"XRP/USD={shared_data / XRP_5M}",), 300, end_ns=end_ns)
    return ResearchSetup(SETTINGS, data, seed=3)


@pytest.fixture(scope="module")
def setup(shared_data: Path) -> ResearchSetup:
    return setup_for(shared_data)


@pytest.fixture(scope="module")
def inline(setup: ResearchSetup) -> WalkForwardResult:
    return walk_forward(setup, MODEL_PLAN)


@pytest.fixture(scope="module")
def processes() -> Iterator[ProcessRunner]:
    with ProcessRunner(2) as runner:
        yield runner


@pytest.fixture(scope="module")
def spread(setup: ResearchSetup, processes: ProcessRunner) -> WalkForwardResult:
    return walk_forward(setup, MODEL_PLAN, processes)


def window_digest(o: WindowOutcome) -> tuple[Any, ...]:
    models = [(m.model_id, m.artifact_sha256, m.rows, m.data_end_ns) for m in o.models]
    return o.window, o.params, models, o.run.fingerprint, dataclasses.asdict(o.run.metrics), o.run.equity


def digest(result: WalkForwardResult) -> tuple[Any, ...]:
    combined = result.combined
    windows = [window_digest(o) for o in result.windows]
    return windows, combined.fingerprint, dataclasses.asdict(combined.metrics), combined.equity


def test_each_window_model_is_trained_only_on_candles_before_its_test(inline: WalkForwardResult) -> None:
    assert len(inline.windows) == 4
    for outcome in inline.windows:
        w, (model,) = outcome.window, outcome.models
        assert w.train_start_ns <= model.train_start_ns
        assert model.last_bar_close_ns <= w.train_end_ns <= w.test_start_ns  # no candle of the test
        assert model.data_end_ns + HORIZON * BAR <= w.train_end_ns  # every label ends inside training
        assert (outcome.run.start_ns, outcome.run.end_ns) == (w.test_start_ns, w.test_end_ns)
        for trade in outcome.run.trades:
            assert w.test_start_ns <= trade.entry_time_ns < trade.exit_time_ns <= w.test_end_ns
    assert len({o.models[0].artifact_sha256 for o in inline.windows}) == 4  # one model per window
    combined = inline.combined
    assert combined.trades == tuple(t for o in inline.windows for t in o.run.trades) and combined.trades
    assert (combined.start_ns, combined.end_ns) == (
        inline.windows[0].window.test_start_ns,
        inline.windows[-1].window.test_end_ns,
    )
    assert not combined.failures


def test_data_after_a_window_changes_nothing_in_it(shared_data: Path, inline: WalkForwardResult) -> None:
    first = inline.windows[0]
    cut_after_its_test = setup_for(shared_data, end_ns=first.window.test_end_ns)
    alone = WindowTask(cut_after_its_test, MODEL_PLAN)((first.window, {}))
    assert window_digest(alone) == window_digest(first)


def test_results_are_the_same_in_this_process_and_in_worker_processes(
    inline: WalkForwardResult, spread: WalkForwardResult
) -> None:
    assert digest(spread) == digest(inline)


def test_the_ray_runner_gives_the_same_results_as_the_process_runner(
    setup: ResearchSetup, spread: WalkForwardResult
) -> None:
    if not ray_available():
        if IN_CI:
            pytest.fail("Ray is not installed (CI installs it: pip install ray)")
        pytest.skip("Ray is not installed: pip install 'galfriday[ray]'")
    from galfriday.backtest.research import RayRunner

    with RayRunner(2) as ray:
        on_ray = walk_forward(setup, MODEL_PLAN, ray)
        assert digest(on_ray) == digest(spread)
        empty = Window(9, 0, DAY, DAY, 2 * DAY)  # 1970: no candles to train on
        with pytest.raises(TaskFailed, match=r"task 0 \(window 9: .*\) failed: ResearchError: no candles"):
            ray.map(WindowTask(setup, MODEL_PLAN), [(empty, {})], label=lambda item: item[0].describe())


def test_a_rule_strategy_is_reoptimised_on_each_training_range_alone(shared_data: Path) -> None:
    sma = StrategySpec(StrategyKind.SMA)
    plan = WalkForwardPlan(
        WindowSpec(2 * DAY, DAY), sma, reoptimise=Reoptimise(default_space(StrategyKind.SMA), trials=8)
    )
    result = walk_forward(setup_for(shared_data), plan)
    assert [o.params for o in result.windows] == [o.search.best_params for o in result.windows if o.search]
    assert len({tuple(o.params.items()) for o in result.windows}) > 1  # refitted, not fixed
    last = result.windows[-1]
    w = last.window
    # the same search on data that ends where its training range ends finds the same parameters
    blind = setup_for(shared_data, end_ns=w.train_end_ns)
    trial = BacktestTrial(blind, sma, "sharpe", w.train_start_ns, w.train_end_ns)
    again = optimise(trial, default_space(StrategyKind.SMA), trials=8, seed=blind.seed, check=trial.check)
    assert last.search is not None and again.best_params == last.params
    assert [r.value for r in again.trials] == [r.value for r in last.search.trials]


def test_trades_walk_forward_on_the_grid_of_the_bars_built_from_them(
    shared_data: Path, tmp_path: Path
) -> None:
    """Four prints per real candle (open, high, low, close) as a trade file: the tick path."""
    candles = feather.read_table(shared_data / XRP_5M).to_pydict()
    rows: dict[str, list[Any]] = {"timestamp": [], "price": [], "qty": []}
    columns = (candles[c] for c in ("date", "open", "high", "low", "close", "volume"))
    for day, *prices, volume in zip(*columns, strict=True):
        for offset_ms, price in zip((1_000, 60_000, 120_000, 240_000), prices, strict=True):
            rows["timestamp"].append(int(day.timestamp() * 1000) + offset_ms)
            rows["price"].append(price)
            rows["qty"].append(volume / 4)
    parquet.write_table(pa.table(rows), tmp_path / "xrp_trades.parquet")
    book = SETTINGS.backtest.model_copy(update={"fill_model": "book"})  # fills on the prints
    settings = SETTINGS.model_copy(update={"backtest": book})
    setup = ResearchSetup(settings, MarketData((f"XRP/USD={tmp_path / 'xrp_trades.parquet'}",), 300))
    result = walk_forward(setup, WalkForwardPlan(WindowSpec(2 * DAY, DAY), StrategySpec(StrategyKind.SMA)))
    assert len(result.windows) == 4 and result.combined.trades and not result.combined.failures
    for outcome in result.windows:
        w = outcome.window
        assert w.test_start_ns % BAR == 0 and outcome.run.equity[0][0] == w.test_start_ns
        assert all(w.test_start_ns <= t.entry_time_ns for t in outcome.run.trades)

"""Walk-forward: for each window, fit on the training range, trade the test range, stitch the tests.

What is fitted per window:
- the model strategy: a model trained on the window's training candles (``model_window``);
- a rule strategy with ``reoptimise``: its parameters, searched on the training range
  (``optimize``, the trials on the runner) and then fixed for the test;
- a rule strategy without: nothing — the same parameters everywhere, which shows how they hold
  up over time.

Each test backtest replays ``warmup_bars`` bars before the test start so indicators, features and
the model's inputs are warm, but trades only from the test start on (``gate``); its result is cut
to the test range (``summary``). The windows' test runs are independent, so they go to the runner
together; their results are stitched into one out-of-sample run. Nothing a window's test sees was
used to fit it: training ranges end before their test ranges start (``windows``), and what a model
saw is recorded per window (``TrainedModel``) so tests can check it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from galfriday.backtest.engine import BacktestEngine
from galfriday.backtest.feeds import DataKind
from galfriday.backtest.research.data import Market, ResearchSetup, open_market
from galfriday.backtest.research.errors import ResearchError
from galfriday.backtest.research.gate import GatedStrategySpec
from galfriday.backtest.research.model_window import ModelRecipe, TrainedModel, train_window_models
from galfriday.backtest.research.optimize import OptimizeResult, optimise
from galfriday.backtest.research.runner import InlineRunner, Runner
from galfriday.backtest.research.space import SearchSpace, apply
from galfriday.backtest.research.summary import RunSummary, stitch, summarise
from galfriday.backtest.research.trials import BacktestTrial
from galfriday.backtest.research.windows import NS_PER_S, Window, WindowSpec, split_windows
from galfriday.backtest.strategies import StrategySpec

#: (what is being done, steps done, steps in total)
Progress = Callable[[str, int, int], None]
WINDOWS = "walk-forward windows"


@dataclass(frozen=True)
class Reoptimise:
    """Search a rule strategy's parameters on each window's training range."""

    space: SearchSpace
    trials: int = 20
    objective: str = "sharpe"
    batch: int = 4


@dataclass(frozen=True)
class WalkForwardPlan:
    windows: WindowSpec
    strategy: StrategySpec = field(default_factory=StrategySpec)
    model: ModelRecipe | None = None  # the model strategy's training; default ModelRecipe()
    reoptimise: Reoptimise | None = None  # rule strategies only
    warmup_bars: int = 100  # replayed before each test start, without trading
    keep_models: bool = False  # return each window's TrainingResult (to register it)

    def __post_init__(self) -> None:
        if self.warmup_bars < 0:
            raise ResearchError(f"--warmup must be >= 0 bars, got {self.warmup_bars}")
        if self.strategy.needs_predictions and self.reoptimise is not None:
            raise ResearchError(
                "--reoptimise searches a rule strategy's parameters; the model strategy is retrained "
                "per window instead: drop --reoptimise or use --strategy sma|rsi"
            )


@dataclass(frozen=True)
class WindowOutcome:
    window: Window
    params: dict[str, Any]  # the rule parameters traded (re-optimised or as given)
    models: tuple[TrainedModel, ...]  # the model strategy's, one per pair
    run: RunSummary  # the test range only
    seconds: float  # training and the test backtest, in the worker
    search: OptimizeResult | None = field(default=None, repr=False)  # with reoptimise


@dataclass(frozen=True)
class WalkForwardResult:
    plan: WalkForwardPlan
    interval_s: int
    windows: tuple[WindowOutcome, ...]
    combined: RunSummary  # the windows' test runs stitched together
    seconds: float


@dataclass(frozen=True)
class WindowTask:
    """One window's test (after fitting its model), as sent to a worker."""

    setup: ResearchSetup
    plan: WalkForwardPlan

    def __call__(self, item: tuple[Window, dict[str, Any]]) -> WindowOutcome:
        started = time.perf_counter()
        window, params = item
        settings, spec = apply(params, self.setup.settings, self.plan.strategy)
        instruments, market = open_market(self.setup.data, settings)
        models: tuple[TrainedModel, ...] = ()
        predictor = feature_set = None
        if spec.needs_predictions:
            recipe = self.plan.model or ModelRecipe()
            models, predictor, feature_set = train_window_models(
                settings, market, window, recipe, keep=self.plan.keep_models
            )
        warm_from = window.test_start_ns - self.plan.warmup_bars * market.interval_s * NS_PER_S
        engine = BacktestEngine(
            settings,
            instruments,
            GatedStrategySpec.of(spec, window.test_start_ns),
            seed=self.setup.seed,
            feature_set=feature_set,
            predictor=predictor,
        )
        result = engine.run(market.feed(warm_from, window.test_end_ns))
        run = summarise(result, window.test_start_ns)
        return WindowOutcome(window, params, models, run, time.perf_counter() - started)


def plan_windows(setup: ResearchSetup, plan: WalkForwardPlan) -> tuple[Market, tuple[Window, ...]]:
    """The study's market (opened here too) and its windows, on the bars' grid."""
    _, market = open_market(setup.data, setup.settings)
    if plan.strategy.needs_predictions:
        market.require_candles()
    bar_ns = market.interval_s * NS_PER_S
    spec = plan.windows
    for name, value in (("--train", spec.train_ns), ("--test", spec.test_ns), ("--step", spec.step)):
        if value % bar_ns:
            raise ResearchError(f"{name} must be a whole number of {market.interval_s}s bars")
    if spec.embargo_ns % bar_ns:
        raise ResearchError(f"--embargo must be a whole number of {market.interval_s}s bars")
    start = market.start_ns
    if market.kind is DataKind.TICKS:
        start = -(-start // bar_ns) * bar_ns  # windows on the grid of the bars built from the trades
    return market, split_windows(start, market.end_ns, spec)


def walk_forward(
    setup: ResearchSetup,
    plan: WalkForwardPlan,
    runner: Runner | None = None,
    *,
    progress: Progress | None = None,
) -> WalkForwardResult:
    """Run ``plan`` over the study's data (see the module docstring)."""
    started = time.perf_counter()
    runner = runner or InlineRunner()
    market, windows = plan_windows(setup, plan)
    searches = [_search(setup, plan, w, runner, progress) for w in windows] if plan.reoptimise else None
    items = [(w, searches[w.index].best_params if searches else {}) for w in windows]
    if progress is not None:
        progress(WINDOWS, 0, len(items))
    outcomes = runner.map(
        WindowTask(setup, plan),
        items,
        progress=None if progress is None else lambda done, total: progress(WINDOWS, done, total),
        label=lambda item: item[0].describe(),
    )
    if searches:
        outcomes = [replace(o, search=s) for o, s in zip(outcomes, searches, strict=True)]
    combined = stitch([o.run for o in outcomes], market.interval_s)
    seconds = time.perf_counter() - started
    return WalkForwardResult(plan, market.interval_s, tuple(outcomes), combined, seconds)


def _search(
    setup: ResearchSetup, plan: WalkForwardPlan, window: Window, runner: Runner, progress: Progress | None
) -> OptimizeResult:
    assert plan.reoptimise is not None
    how = plan.reoptimise
    trial = BacktestTrial(setup, plan.strategy, how.objective, window.train_start_ns, window.train_end_ns)
    what = f"optimising window {window.index}"
    return optimise(
        trial,
        how.space,
        trials=how.trials,
        seed=setup.seed,
        batch=how.batch,
        runner=runner,
        check=trial.check,
        progress=None if progress is None else lambda done, total: progress(what, done, total),
    )

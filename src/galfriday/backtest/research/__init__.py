"""Research tools: walk-forward analysis, parameter search, and runners that spread them over cores.

Public API:
- ``WindowSpec``/``split_windows`` (``windows``): rolling or anchored train/test ranges;
- ``walk_forward(setup, plan, runner)`` -> ``WalkForwardResult`` (``walk_forward``): per window, a
  model retrained (``model_window``) or rule parameters re-optimised on the training range, a test
  backtest that warms up without trading (``gate``), and the tests stitched into one
  out-of-sample run (``summary``);
- ``optimise(evaluate, space, ...)`` -> ``OptimizeResult`` (``optimize``): Optuna TPE, seeded, in
  batches; ``BacktestTrial`` (``trials``) scores a rule strategy's parameters with an objective;
- objectives (``objectives``): ``sharpe``, ``sortino``, ``total_return``, ``profit_factor``,
  ``return_over_max_drawdown`` or ``module:function``;
- search spaces (``space``): ``Param``, ``SearchSpace``, ``parse_param``, ``default_space``;
- runners (``runner``): ``InlineRunner``, ``ProcessRunner``, ``RayRunner``, ``make_runner``;
- ``MarketData``/``ResearchSetup`` (``data``): what a worker needs to open the study's data itself;
- reports (``report``) and ``galfriday.backtest.cli_research.register(app)``: ``galfriday
  walk-forward`` and ``galfriday optimize``.
"""

from galfriday.backtest.research.data import MarketData, ResearchSetup
from galfriday.backtest.research.errors import ResearchError, TaskFailed
from galfriday.backtest.research.model_window import ModelRecipe, TrainedModel
from galfriday.backtest.research.objectives import OBJECTIVES, Objective, resolve_objective
from galfriday.backtest.research.optimize import Evaluation, OptimizeResult, TrialRecord, optimise
from galfriday.backtest.research.runner import InlineRunner, ProcessRunner, RayRunner, Runner, make_runner
from galfriday.backtest.research.space import Param, SearchSpace, default_space, parse_param
from galfriday.backtest.research.summary import RunSummary, stitch, summarise
from galfriday.backtest.research.trials import BacktestTrial
from galfriday.backtest.research.walk_forward import (
    Reoptimise,
    WalkForwardPlan,
    WalkForwardResult,
    WindowOutcome,
    walk_forward,
)
from galfriday.backtest.research.windows import Window, WindowSpec, split_windows

__all__ = [
    "OBJECTIVES",
    "BacktestTrial",
    "Evaluation",
    "InlineRunner",
    "MarketData",
    "ModelRecipe",
    "Objective",
    "OptimizeResult",
    "Param",
    "ProcessRunner",
    "RayRunner",
    "Reoptimise",
    "ResearchError",
    "ResearchSetup",
    "RunSummary",
    "Runner",
    "SearchSpace",
    "TaskFailed",
    "TrainedModel",
    "TrialRecord",
    "WalkForwardPlan",
    "WalkForwardResult",
    "Window",
    "WindowOutcome",
    "WindowSpec",
    "default_space",
    "make_runner",
    "optimise",
    "parse_param",
    "resolve_objective",
    "split_windows",
    "stitch",
    "summarise",
    "walk_forward",
]

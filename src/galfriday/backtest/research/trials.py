"""An optimisation trial: one parameter set of a rule strategy, backtested over a range and scored.

``BacktestTrial`` is what the runner sends to a worker, with the objective by name; it opens the
study's market there (once per process, ``data.open_market``) and returns the objective's value
with the metrics that explain it. A run in which a kernel handler raised cannot be trusted, so it
scores ``-inf`` whatever its metrics say.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from galfriday.backtest.engine import BacktestEngine
from galfriday.backtest.metrics import Metrics
from galfriday.backtest.research.data import ResearchSetup, open_market
from galfriday.backtest.research.errors import ResearchError
from galfriday.backtest.research.objectives import WORST, Objective, resolve_objective
from galfriday.backtest.research.optimize import Evaluation
from galfriday.backtest.research.space import apply
from galfriday.backtest.strategies import StrategySpec

#: The metrics shown next to a trial's value.
KEY_METRICS = (
    "trades",
    "total_return_pct",
    "sharpe",
    "sortino",
    "max_drawdown_pct",
    "profit_factor",
    "win_rate_pct",
    "exposure_pct",
)


@dataclass(frozen=True)
class BacktestTrial:
    setup: ResearchSetup
    strategy: StrategySpec
    objective: str | Objective = "sharpe"
    start_ns: int | None = None  # None: the study's range
    end_ns: int | None = None

    def __post_init__(self) -> None:
        if self.strategy.needs_predictions:
            raise ResearchError(
                "the model strategy has no parameters to search here: optimise a rule strategy "
                "(--strategy sma|rsi), or walk the model forward (`galfriday walk-forward --strategy model`)"
            )
        resolve_objective(self.objective)  # a typo fails here, not in every worker

    def check(self, params: dict[str, Any]) -> str | None:
        """Why ``params`` make no valid strategy, or None."""
        try:
            apply(params, self.setup.settings, self.strategy)
        except ResearchError as exc:
            return str(exc)
        return None

    def __call__(self, params: dict[str, Any]) -> Evaluation:
        settings, spec = apply(params, self.setup.settings, self.strategy)
        instruments, market = open_market(self.setup.data, settings)
        start = market.start_ns if self.start_ns is None else self.start_ns
        end = market.end_ns if self.end_ns is None else self.end_ns
        engine = BacktestEngine(settings, instruments, spec, seed=self.setup.seed)
        result = engine.run(market.feed(start, end))
        value = WORST if result.failures else float(resolve_objective(self.objective)(result))
        return Evaluation(value, key_metrics(result.metrics) | {"failures": len(result.failures)})


def key_metrics(metrics: Metrics) -> dict[str, Any]:
    values = asdict(metrics)
    return {name: values[name] for name in KEY_METRICS}

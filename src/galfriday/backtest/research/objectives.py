"""Objectives: what an optimisation maximises, one number from a backtest result.

An objective is any callable ``BacktestResult -> float``, larger is better. The built-ins read the
run's metrics (every one net of fees, see ``backtest.metrics``):

- ``sharpe``, ``sortino``: annualised, on the equity curve's returns;
- ``total_return``: total return in percent;
- ``profit_factor``: gross profit ÷ gross loss of closed trades;
- ``return_over_max_drawdown``: total return ÷ max drawdown (both in percent; a Calmar-like ratio
  over the run's span rather than per year).

A metric that is undefined for a run — Sharpe without any volatility, a profit factor without a
trade — makes the objective ``-inf``: such a run ranks last instead of being dropped, so a search
learns to avoid parameters that never trade. A profit factor or return-over-drawdown without any
loss or drawdown but a gain is ``+inf``.

``resolve_objective(name)`` accepts a built-in name or ``module:function`` for your own; names (not
the functions) are what tasks carry to worker processes, which resolve them there.
"""

from __future__ import annotations

import importlib
import math
from typing import Protocol

from galfriday.backtest.research.errors import ResearchError
from galfriday.backtest.result import BacktestResult

WORST = -math.inf


class Objective(Protocol):
    def __call__(self, result: BacktestResult) -> float: ...


def _defined(value: float | None) -> float:
    return WORST if value is None or math.isnan(value) else float(value)


def sharpe(result: BacktestResult) -> float:
    return _defined(result.metrics.sharpe)


def sortino(result: BacktestResult) -> float:
    return _defined(result.metrics.sortino)


def total_return(result: BacktestResult) -> float:
    return float(result.metrics.total_return_pct)


def profit_factor(result: BacktestResult) -> float:
    m = result.metrics
    if m.profit_factor is not None:
        return m.profit_factor
    return math.inf if m.gross_profit > 0 else WORST  # no losing trade: all gain, or no trade at all


def return_over_max_drawdown(result: BacktestResult) -> float:
    m = result.metrics
    if m.max_drawdown_pct > 0:
        return m.total_return_pct / m.max_drawdown_pct
    return math.inf if m.total_return_pct > 0 else WORST


OBJECTIVES: dict[str, Objective] = {
    "sharpe": sharpe,
    "sortino": sortino,
    "total_return": total_return,
    "profit_factor": profit_factor,
    "return_over_max_drawdown": return_over_max_drawdown,
}


def resolve_objective(spec: str | Objective) -> Objective:
    """A built-in by name, ``package.module:function``, or a callable given as is."""
    if not isinstance(spec, str):
        return spec
    if spec in OBJECTIVES:
        return OBJECTIVES[spec]
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise ResearchError(
            f"unknown objective {spec!r}: use one of {', '.join(OBJECTIVES)} or module:function "
            "(a function taking a BacktestResult and returning a float, larger is better)"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ResearchError(f"objective {spec!r}: cannot import {module_name}: {exc}") from None
    function = getattr(module, attribute, None)
    if not callable(function):
        raise ResearchError(f"objective {spec!r}: {module_name} has no function {attribute!r}")
    return function  # type: ignore[no-any-return]

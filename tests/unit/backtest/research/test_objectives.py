"""Objectives: the built-ins read the run's metrics; undefined ranks last; users plug in their own."""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal

import pytest

from galfriday.backtest import BacktestResult
from galfriday.backtest.research.errors import ResearchError
from galfriday.backtest.research.objectives import OBJECTIVES, resolve_objective
from tests.unit.backtest._kit import bars, cross_up_then_down, permissive, run


@pytest.fixture(scope="module")
def result() -> BacktestResult:
    return run(permissive(), bars("XRP/USD", cross_up_then_down()))


def with_metrics(result: BacktestResult, **values: object) -> BacktestResult:
    return replace(result, metrics=replace(result.metrics, **values))


def test_the_built_ins_read_the_metrics_they_are_named_after(result: BacktestResult) -> None:
    r = with_metrics(
        result, sharpe=1.5, sortino=2.5, total_return_pct=4.0, profit_factor=1.8, max_drawdown_pct=2.0
    )
    assert [OBJECTIVES[name](r) for name in OBJECTIVES] == [1.5, 2.5, 4.0, 1.8, 2.0]
    assert list(OBJECTIVES) == [
        "sharpe",
        "sortino",
        "total_return",
        "profit_factor",
        "return_over_max_drawdown",
    ]


def test_an_undefined_metric_ranks_last_and_a_flawless_gain_first(result: BacktestResult) -> None:
    flat = with_metrics(
        result,
        sharpe=None,
        sortino=None,
        profit_factor=None,
        gross_profit=Decimal(0),
        trades=0,
        total_return_pct=0.0,
        max_drawdown_pct=0.0,
    )
    assert [OBJECTIVES[n](flat) for n in ("sharpe", "sortino", "profit_factor")] == [-math.inf] * 3
    assert OBJECTIVES["return_over_max_drawdown"](flat) == -math.inf
    assert OBJECTIVES["total_return"](flat) == 0.0  # not trading returns nothing, which is defined
    winner = with_metrics(
        result, profit_factor=None, gross_profit=Decimal(5), total_return_pct=0.05, max_drawdown_pct=0.0
    )
    assert OBJECTIVES["profit_factor"](winner) == math.inf
    assert OBJECTIVES["return_over_max_drawdown"](winner) == math.inf


def fees_paid(result: BacktestResult) -> float:
    """A user's objective: pay the least in fees."""
    return -float(result.metrics.fees_paid)


def test_an_objective_is_a_name_a_module_function_or_a_callable(result: BacktestResult) -> None:
    assert resolve_objective("sharpe") is OBJECTIVES["sharpe"]
    mine = resolve_objective("tests.unit.backtest.research.test_objectives:fees_paid")
    assert mine(result) == -float(result.metrics.fees_paid) < 0
    assert resolve_objective(fees_paid) is fees_paid


def test_an_unknown_objective_says_what_is_available() -> None:
    with pytest.raises(ResearchError, match=r"use one of sharpe, sortino, .* or module:function"):
        resolve_objective("calmar")
    with pytest.raises(ResearchError, match="cannot import no_such_module"):
        resolve_objective("no_such_module:f")
    with pytest.raises(ResearchError, match="has no function 'nope'"):
        resolve_objective("galfriday.backtest.research.objectives:nope")

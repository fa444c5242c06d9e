"""Search spaces: ``--param`` parsing, and values turned into the strategy and settings they make."""

from __future__ import annotations

from decimal import Decimal

import pytest

from galfriday.backtest import StrategyKind, StrategySpec
from galfriday.backtest.research.errors import ResearchError
from galfriday.backtest.research.space import Param, SearchSpace, apply, default_space, parse_param
from galfriday.config import Settings


def test_param_ranges_are_read_from_the_command_line() -> None:
    assert parse_param("fast=5:30") == Param("fast", 5, 30)
    assert parse_param("slow=20:120:10") == Param("slow", 20, 120, step=10)
    assert parse_param("sl_pct=0.005:0.05:log") == Param("sl_pct", 0.005, 0.05, log=True)
    assert Param("fast", 5, 30).integer and not Param("sl_pct", 0.01, 0.02).integer
    for bad, why in (
        ("fast", "write NAME=LOW:HIGH"),
        ("fast=a:b", "must be numbers"),
        ("speed=1:2", "unknown parameter 'speed'"),
        ("fast=9:3", "need LOW < HIGH"),
        ("sl_pct=0:1:log", "a log range needs LOW > 0"),
    ):
        with pytest.raises(ResearchError, match=why):
            parse_param(bad)
    with pytest.raises(ResearchError, match="fast given more than once"):
        SearchSpace((Param("fast", 1, 5), Param("fast", 2, 6)))
    with pytest.raises(ResearchError, match="give --param NAME=LOW:HIGH"):
        default_space(StrategyKind.MODEL)


def test_values_become_the_rule_and_the_strategy_settings() -> None:
    settings, spec = apply(
        {"fast": 7.0, "slow": 40, "sl_pct": 0.0125, "period": 9}, Settings(), StrategySpec(StrategyKind.SMA)
    )
    assert (spec.sma.fast, spec.sma.slow, spec.rsi.period) == (7, 40, 9)
    assert settings.strategy.sl_pct == Decimal("0.0125")
    assert settings.strategy.tp_pct == Settings().strategy.tp_pct  # the rest as configured


def test_values_that_make_no_valid_strategy_are_infeasible_even_against_fixed_ones() -> None:
    sma = StrategySpec(StrategyKind.SMA)  # slow 30 unless searched
    with pytest.raises(ResearchError, match=r"infeasible parameters .* need 0 < fast < slow"):
        apply({"fast": 35}, Settings(), sma)
    with pytest.raises(ResearchError, match=r"infeasible parameters .*sl_pct"):
        apply({"sl_pct": 1.5}, Settings(), sma)
    with pytest.raises(ResearchError, match="enter_below < exit_above"):
        apply({"enter_below": 80}, Settings(), StrategySpec(StrategyKind.RSI))

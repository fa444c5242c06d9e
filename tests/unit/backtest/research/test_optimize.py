"""The optimiser: seeded and repeatable, finds the best of a small space, never runs infeasible or
repeated values, keeps its trials in a storage and resumes from them."""

from __future__ import annotations

from typing import Any

import pytest

from galfriday.backtest.research.errors import ResearchError
from galfriday.backtest.research.optimize import Evaluation, optimise
from galfriday.backtest.research.runner import ProcessRunner
from galfriday.backtest.research.space import Param, SearchSpace

SPACE = SearchSpace((Param("fast", 2, 6), Param("slow", 4, 9)))


def bowl(params: dict[str, Any]) -> Evaluation:
    """Known best: fast 3, slow 8 (value 0)."""
    value = -((params["fast"] - 3) ** 2) - (params["slow"] - 8) ** 2
    return Evaluation(float(value), {"trades": params["fast"] + params["slow"]})


def fast_below_slow(params: dict[str, Any]) -> str | None:
    return None if params["fast"] < params["slow"] else "need fast < slow"


def history(result: Any) -> list[tuple[int, dict[str, Any], float]]:
    return [(r.number, r.params, r.value) for r in result.trials]


def test_the_same_seed_gives_the_same_trials_and_another_seed_others() -> None:
    first = optimise(bowl, SPACE, trials=12, seed=3)
    assert history(first) == history(optimise(bowl, SPACE, trials=12, seed=3))
    assert history(first) != history(optimise(bowl, SPACE, trials=12, seed=4))


def test_it_finds_the_known_best_of_a_small_space() -> None:
    result = optimise(bowl, SPACE, trials=30, seed=1, check=fast_below_slow)
    assert result.best_params == {"fast": 3, "slow": 8} and result.best_value == 0.0
    assert result.best.metrics == {"trades": 11}


def test_infeasible_values_are_never_evaluated_and_repeated_ones_are_reused() -> None:
    evaluated: list[dict[str, Any]] = []

    def counting(params: dict[str, Any]) -> Evaluation:
        evaluated.append(params)
        return bowl(params)

    result = optimise(counting, SPACE, trials=40, seed=2, check=fast_below_slow)
    assert all(p["fast"] < p["slow"] for p in evaluated)
    assert result.infeasible > 0 and len(result.trials) == 40
    assert len({tuple(p.items()) for p in evaluated}) == len(evaluated)  # each set evaluated once
    assert sum(not r.reused for r in result.trials) == len(evaluated) < 40


def test_a_process_runner_gives_the_same_study_as_inline() -> None:
    inline = optimise(bowl, SPACE, trials=10, seed=5, batch=3)
    with ProcessRunner(2) as runner:
        spread = optimise(bowl, SPACE, trials=10, seed=5, batch=3, runner=runner)
    assert history(spread) == history(inline)


def test_trials_are_stored_and_a_study_resumes_without_evaluating_them_again(tmp_path: Any) -> None:
    storage = f"sqlite:///{tmp_path / 'optuna.db'}"
    first = optimise(bowl, SPACE, trials=6, seed=7, storage=storage, study_name="sma")
    stored_before = len(first.study.trials)
    evaluated: list[dict[str, Any]] = []

    def counting(params: dict[str, Any]) -> Evaluation:
        evaluated.append(params)
        return bowl(params)

    resumed = optimise(counting, SPACE, trials=6, seed=7, storage=storage, study_name="sma")
    assert len(resumed.study.trials) == stored_before + len(resumed.trials)
    known = {tuple(sorted(r.params.items())) for r in first.trials}
    assert not any(tuple(sorted(p.items())) in known for p in evaluated)
    stored = next(t for t in resumed.study.trials if t.number == first.best.number)
    assert stored.value == first.best.value and stored.user_attrs["metrics"] == first.best.metrics


def test_a_mostly_infeasible_space_or_a_bad_budget_is_refused() -> None:
    never = SearchSpace((Param("fast", 50, 60), Param("slow", 4, 9)))
    with pytest.raises(ResearchError, match=r"were infeasible .* narrow the ranges"):
        optimise(bowl, never, trials=2, seed=0, check=fast_below_slow)
    with pytest.raises(ResearchError, match="--trials must be at least 1"):
        optimise(bowl, SPACE, trials=0)

"""Parameter search with Optuna: a seeded TPE sampler, trials evaluated in batches on a runner.

Each round asks the study for ``batch`` trials, evaluates the new ones through the runner (in
parallel), and tells the study their values. The sampler only sees what it was told, in the same
order, so a study is the same for the same seed and ``batch`` whichever runner ran it and however
many workers it had; ``batch`` — not the worker count — is therefore an explicit setting.

- Infeasible values (``check`` says why: ``fast >= slow``, ...) are never evaluated: the trial is
  told *pruned*, which TPE counts among the bad ones, and does not use up the budget.
- Values evaluated before (TPE proposes the same integers again in a small space) are not run again:
  the trial is told the earlier value.
- With ``storage`` (an Optuna URL such as ``sqlite:///var/optuna.db``) every trial is stored as it
  finishes, and a study of the same name is resumed.

The objective is maximised. ``evaluate`` returns an ``Evaluation`` (a value and the metrics to show
next to it) or a bare float.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from galfriday.backtest.research.errors import ResearchError
from galfriday.backtest.research.runner import InlineRunner, Runner
from galfriday.backtest.research.space import SearchSpace

if TYPE_CHECKING:  # Optuna is imported when a search starts: `galfriday --help` stays quick
    import optuna

Params = dict[str, Any]
Check = Callable[[Params], str | None]  # why the values are infeasible, or None
Progress = Callable[[int, int], None]
MAX_ATTEMPTS_PER_TRIAL = 20  # asks per evaluated trial before a mostly infeasible space is an error


@dataclass(frozen=True)
class Evaluation:
    value: float
    metrics: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TrialRecord:
    number: int  # Optuna's trial number
    params: Params
    value: float
    metrics: dict[str, Any]
    reused: bool  # the same values were evaluated before: not run again


@dataclass(frozen=True)
class OptimizeResult:
    best: TrialRecord
    trials: tuple[TrialRecord, ...]
    infeasible: int
    seconds: float
    study: optuna.Study = field(repr=False)

    @property
    def best_params(self) -> Params:
        return dict(self.best.params)

    @property
    def best_value(self) -> float:
        return self.best.value


def optimise(
    evaluate: Callable[[Params], Evaluation | float],
    space: SearchSpace,
    *,
    trials: int,
    seed: int = 0,
    batch: int = 4,
    runner: Runner | None = None,
    check: Check | None = None,
    storage: str | None = None,
    study_name: str | None = None,
    progress: Progress | None = None,
) -> OptimizeResult:
    """Search ``space`` for the values ``evaluate`` scores highest (see the module docstring)."""
    if trials < 1:
        raise ResearchError(f"--trials must be at least 1, got {trials}")
    if batch < 1:
        raise ResearchError(f"--batch must be at least 1, got {batch}")
    from optuna.trial import TrialState

    started = time.perf_counter()
    runner = runner or InlineRunner()
    study = _study(seed, storage, study_name)
    seen = _evaluated(study)
    records: list[TrialRecord] = []
    infeasible, attempts = 0, 0
    while len(records) < trials:
        asked: list[tuple[optuna.Trial, Params]] = []
        while len(asked) < min(batch, trials - len(records)):
            attempts += 1
            if attempts > MAX_ATTEMPTS_PER_TRIAL * trials:
                raise ResearchError(
                    f"{infeasible} of {attempts - 1} sampled parameter sets were infeasible (e.g. fast >= "
                    f"slow): narrow the ranges so most combinations are valid ({', '.join(space.describe())})"
                )
            trial = study.ask()
            params = space.sample(trial)
            reason = check(params) if check is not None else None
            if reason is not None:
                trial.set_user_attr("infeasible", reason)
                study.tell(trial, state=TrialState.PRUNED)
                infeasible += 1
                continue
            asked.append((trial, params))
        fresh = list({_key(p): p for _, p in asked if _key(p) not in seen}.values())
        fresh_keys = {_key(p) for p in fresh}
        base = len(records)

        def report(done: int, _total: int, base: int = base) -> None:
            if progress is not None:
                progress(base + done, trials)

        values = runner.map(evaluate, fresh, progress=report, label=lambda p: f"parameters {p}")
        for params, value in zip(fresh, values, strict=True):
            seen[_key(params)] = value if isinstance(value, Evaluation) else Evaluation(float(value))
        for trial, params in asked:
            key = _key(params)
            reused = key not in fresh_keys
            fresh_keys.discard(key)  # a second trial with the same values in this round reuses too
            evaluation = seen[key]
            trial.set_user_attr("metrics", _jsonable(evaluation.metrics))
            study.tell(trial, evaluation.value)
            records.append(TrialRecord(trial.number, params, evaluation.value, evaluation.metrics, reused))
        if progress is not None:
            progress(len(records), trials)
    best = max(records, key=lambda r: (r.value, -r.number))
    return OptimizeResult(best, tuple(records), infeasible, time.perf_counter() - started, study)


def _study(seed: int, storage: str | None, name: str | None) -> optuna.Study:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # one line per trial drowns the progress bar
    sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=True)
    return optuna.create_study(
        direction="maximize",
        sampler=sampler,
        storage=storage,
        study_name=name,
        load_if_exists=storage is not None,
    )


def _evaluated(study: optuna.Study) -> dict[tuple[tuple[str, Any], ...], Evaluation]:
    """A resumed study's completed trials: their values are not evaluated again."""
    from optuna.trial import TrialState

    return {
        _key(t.params): Evaluation(t.value, dict(t.user_attrs.get("metrics", {})))
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if t.value is not None
    }


def _key(params: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(params.items()))


def _jsonable(metrics: Mapping[str, Any]) -> dict[str, Any]:
    """Metrics as a storage's JSON column takes them: Decimals as floats, no NaN or infinity."""
    out: dict[str, Any] = {}
    for name, value in metrics.items():
        if isinstance(value, Decimal):
            value = float(value)
        out[name] = None if isinstance(value, float) and not math.isfinite(value) else value
    return out

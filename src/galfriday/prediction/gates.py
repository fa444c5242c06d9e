"""Acceptance gates: may a freshly trained model go further than development?

A candidate must (all thresholds configurable):
1. score on its own: mean out-of-sample AUC above ``min_auc`` (0.55) and precision at the decision
   threshold above ``min_precision`` (0.6), over the walk-forward windows;
2. beat the current production model of its pair and target, measured on the SAME windows (same
   rows, same labels): AUC at least ``min_auc_gain`` (5 %) higher, or Sharpe at least
   ``min_sharpe_gain`` (3 %) higher — relative gains; Sharpe's is taken on its absolute value so a
   negative Sharpe must rise too. No production model: this gate is skipped (and says so).

A failed gate never blocks registration: the model is kept in development with the reasons, so a
person can see why, and it cannot reach production without an explicit, recorded override.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from galfriday.prediction.evaluation import WindowResult, summarise
from galfriday.prediction.metrics import json_safe


@dataclass(frozen=True)
class GateConfig:
    min_auc: float = 0.55
    min_precision: float = 0.6
    min_auc_gain: float = 0.05
    min_sharpe_gain: float = 0.03


@dataclass(frozen=True)
class GateDecision:
    passed: bool
    reasons: tuple[str, ...]  # why it failed; empty when it passed
    candidate: dict[str, Any]  # the candidate's summary on the windows judged
    production: dict[str, Any] | None  # the production model's, on the same windows

    def to_dict(self) -> dict[str, Any]:
        return json_safe(
            {
                "passed": self.passed,
                "reasons": list(self.reasons),
                "candidate": self.candidate,
                "vs_production": self.production,
            }
        )


def evaluate_gates(
    candidate: Sequence[WindowResult],
    config: GateConfig = GateConfig(),
    *,
    production: Sequence[WindowResult] | None = None,
    production_id: str | None = None,
) -> GateDecision:
    """Judge ``candidate``'s windows, and against ``production``'s on the same rows when given."""
    mine = summarise(candidate)
    reasons = []
    auc, precision = mine["auc"], mine["precision"]
    if auc is None or auc <= config.min_auc:
        reasons.append(f"AUC {_fmt(auc)} is not above {config.min_auc}")
    if precision is None or precision <= config.min_precision:
        reasons.append(f"precision {_fmt(precision)} is not above {config.min_precision}")
    theirs = None
    if production is not None:
        _require_same_rows(candidate, production)
        theirs = summarise(production) | {"model_id": production_id}
        if not _beats(mine, theirs, config):
            reasons.append(
                f"not better than production model {production_id} on the same windows: AUC {_fmt(auc)} vs "
                f"{_fmt(theirs['auc'])} (need +{config.min_auc_gain:.0%}), Sharpe {_fmt(mine['sharpe'])} vs "
                f"{_fmt(theirs['sharpe'])} (need +{config.min_sharpe_gain:.0%})"
            )
    return GateDecision(not reasons, tuple(reasons), mine, theirs)


def _beats(mine: dict[str, Any], theirs: dict[str, Any], config: GateConfig) -> bool:
    auc, their_auc = mine["auc"], theirs["auc"]
    auc_better = auc is not None and (their_auc is None or auc >= their_auc * (1 + config.min_auc_gain))
    sharpe, their_sharpe = mine["sharpe"] or 0.0, theirs["sharpe"] or 0.0
    sharpe_better = sharpe > their_sharpe and sharpe >= their_sharpe + config.min_sharpe_gain * abs(
        their_sharpe
    )
    return auc_better or sharpe_better


def _require_same_rows(candidate: Sequence[WindowResult], production: Sequence[WindowResult]) -> None:
    same = len(candidate) == len(production) and all(
        np.array_equal(c.rows, p.rows) for c, p in zip(candidate, production, strict=True)
    )
    if not same:
        raise ValueError("the production model must be scored on the candidate's windows (same rows)")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"

"""``--model ensemble``: one artefact averaging an XGBoost and a random forest.

Two different learners rarely fail the same way; averaging their probabilities is the simplest
combination that cannot overfit a weighting. (Combining several *registered* models at inference
time is the PredictionService's job: ``prediction.combine``.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from galfriday.prediction.estimators.trees import RandomForestEstimator, XGBoostEstimator


class AveragingEnsemble:
    kind = "ensemble"
    sequence_length = 1

    def __init__(self, params: dict[str, Any] | None = None, *, seed: int = 7) -> None:
        given = dict(params or {})
        unknown = sorted(set(given) - {"xgboost", "random_forest"})
        if unknown:
            raise ValueError(
                f"ensemble hyperparameters are per member: {{'xgboost': {{...}}, 'random_forest': {{...}}}}; "
                f"got {', '.join(unknown)}"
            )
        self._members = (
            XGBoostEstimator(given.get("xgboost"), seed=seed),
            RandomForestEstimator(given.get("random_forest"), seed=seed),
        )

    def fit(self, windows: np.ndarray, labels: np.ndarray) -> None:
        for member in self._members:
            member.fit(windows, labels)

    def predict_proba(self, windows: np.ndarray) -> np.ndarray:
        return np.mean([member.predict_proba(windows) for member in self._members], axis=0)

    def hyperparameters(self) -> dict[str, Any]:
        return {member.kind: member.hyperparameters() for member in self._members}

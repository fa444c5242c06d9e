"""Gradient-boosted trees (XGBoost) and random forests (scikit-learn) on the newest feature vector.

Both run single-threaded, in training too: on a few thousand rows the threads cost more than they
save (XGBoost with ``n_jobs=-1`` took 18 s instead of 0.4 s for 2,000 rows on the 2-core test
machine, where ``-1`` counts the host's cores, not the container's), and the process/thread pools
of the ``PredictionService`` already parallelise across requests. Missing values are handled
natively by both libraries.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from xgboost import XGBClassifier

from galfriday.prediction.estimators.base import last_vector, merged
from galfriday.prediction.estimators.compiled_trees import CompiledTrees, compile_booster

_UNBUILT = object()

XGBOOST_DEFAULTS: dict[str, Any] = {
    "n_estimators": 200,
    "max_depth": 3,
    "learning_rate": 0.05,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "min_child_weight": 5.0,
    "reg_lambda": 1.0,
}
FOREST_DEFAULTS: dict[str, Any] = {
    "n_estimators": 100,
    "max_depth": 6,
    "min_samples_leaf": 10,
    "max_features": "sqrt",
}


class XGBoostEstimator:
    kind = "xgboost"
    sequence_length = 1

    def __init__(self, params: dict[str, Any] | None = None, *, seed: int = 7) -> None:
        self._params = merged(XGBOOST_DEFAULTS, params or {}, self.kind)
        self._seed = seed
        self._model: XGBClassifier | None = None

    def fit(self, windows: np.ndarray, labels: np.ndarray) -> None:
        model = XGBClassifier(
            **self._params, objective="binary:logistic", random_state=self._seed, n_jobs=1, verbosity=0
        )
        model.fit(last_vector(windows), np.asarray(labels, dtype=int))
        self._model = model

    def predict_proba(self, windows: np.ndarray) -> np.ndarray:
        if self._model is None:
            raise RuntimeError("fit the XGBoost model before predicting")
        # XGBoost works in float32 anyway, so converting first changes nothing but the cost.
        inputs = np.ascontiguousarray(last_vector(windows), dtype=np.float32)
        if len(inputs) == 1:  # the live path, one bar at a time: the compiled trees (~4x faster)
            compiled = self._compiled_trees()
            if compiled is not None:
                return np.array([compiled.predict_one(inputs[0])])
        # inplace_predict skips the DMatrix and sklearn wrappers, and feature validation (the
        # service checks names and order before)
        p_up = self._model.get_booster().inplace_predict(inputs, validate_features=False)
        return np.asarray(p_up, dtype=np.float64)

    def _compiled_trees(self) -> CompiledTrees | None:
        """Built on first use (artefacts pickled before it existed have no such attribute)."""
        compiled = getattr(self, "_compiled", _UNBUILT)
        if compiled is _UNBUILT:
            assert self._model is not None
            compiled = compile_booster(self._model.get_booster(), self._model.n_features_in_)
            self._compiled = compiled
        return compiled  # type: ignore[return-value]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_compiled", None)  # derived from the model: rebuilt after loading
        return state

    def hyperparameters(self) -> dict[str, Any]:
        return dict(self._params) | {"seed": self._seed}


class RandomForestEstimator:
    kind = "random_forest"
    sequence_length = 1

    def __init__(self, params: dict[str, Any] | None = None, *, seed: int = 7) -> None:
        self._params = merged(FOREST_DEFAULTS, params or {}, self.kind)
        self._seed = seed
        self._model: RandomForestClassifier | None = None

    def fit(self, windows: np.ndarray, labels: np.ndarray) -> None:
        model = RandomForestClassifier(**self._params, random_state=self._seed, n_jobs=1)
        model.fit(last_vector(windows), np.asarray(labels, dtype=int))
        self._model = model

    def predict_proba(self, windows: np.ndarray) -> np.ndarray:
        if self._model is None:
            raise RuntimeError("fit the random forest before predicting")
        return np.asarray(self._model.predict_proba(last_vector(windows))[:, 1], dtype=np.float64)

    def hyperparameters(self) -> dict[str, Any]:
        return dict(self._params) | {"seed": self._seed}

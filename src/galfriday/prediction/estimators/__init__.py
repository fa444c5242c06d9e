"""Model types the training pipeline can fit: ``make_estimator(kind, params, seed=...)``.

``xgboost``, ``random_forest`` and ``ensemble`` need only the core dependencies; ``lstm`` needs
PyTorch, which stays optional: it is imported only when an LSTM is made or loaded.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from galfriday.prediction.errors import ModelUnavailableError
from galfriday.prediction.estimators.base import Estimator
from galfriday.prediction.estimators.ensemble import AveragingEnsemble
from galfriday.prediction.estimators.trees import RandomForestEstimator, XGBoostEstimator

MODEL_TYPES = ("xgboost", "random_forest", "lstm", "ensemble")
TORCH_MISSING = (
    "the LSTM needs PyTorch, which is not installed; install the CPU build with "
    "`pip install torch==2.13.0` (extra 'lstm'), or train xgboost/random_forest instead"
)


def torch_available() -> bool:
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):  # a broken or blocked installation counts as missing
        return False


def make_estimator(kind: str, params: dict[str, Any] | None = None, *, seed: int = 7) -> Estimator:
    """A fresh, unfitted model of ``kind``; a bad kind or hyperparameter raises ValueError."""
    if kind == "xgboost":
        return XGBoostEstimator(params, seed=seed)
    if kind == "random_forest":
        return RandomForestEstimator(params, seed=seed)
    if kind == "ensemble":
        return AveragingEnsemble(params, seed=seed)
    if kind == "lstm":
        if not torch_available():
            raise ModelUnavailableError(TORCH_MISSING)
        from galfriday.prediction.estimators.lstm import LstmEstimator

        return LstmEstimator(params, seed=seed)
    raise ValueError(f"unknown model type {kind!r}; use one of {', '.join(MODEL_TYPES)}")


__all__ = ["MODEL_TYPES", "Estimator", "make_estimator", "torch_available"]

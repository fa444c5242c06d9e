"""What every model type offers the training pipeline, the bundle and the inference workers.

Inputs are *windows*: ``(rows, sequence_length, features)`` arrays of scale-free feature vectors
ending at the bar being predicted. Tabular models have ``sequence_length == 1`` and read the last
vector; sequence models (the LSTM) read the whole window. Outputs are P(up) per row.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np


class Estimator(Protocol):
    kind: str
    sequence_length: int

    def fit(self, windows: np.ndarray, labels: np.ndarray) -> None: ...

    def predict_proba(self, windows: np.ndarray) -> np.ndarray: ...

    def hyperparameters(self) -> dict[str, Any]: ...


def last_vector(windows: np.ndarray) -> np.ndarray:
    """The newest vector of each window: what a tabular model reads."""
    return np.asarray(windows, dtype=np.float64)[:, -1, :]


def merged(defaults: dict[str, Any], given: dict[str, Any], kind: str) -> dict[str, Any]:
    """``defaults`` updated with ``given``; an unknown key is an error naming the known ones."""
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ValueError(
            f"unknown {kind} hyperparameter(s) {', '.join(unknown)}; known: {', '.join(sorted(defaults))}"
        )
    return defaults | given

"""Permutation importance on out-of-sample data: how much AUC a feature is worth to the model.

One method for every model type (trees, LSTM, ensembles), measured where it matters — on a test
window the model never trained on — instead of the trees' in-sample split gains, which reward
features the model overfits. A feature is shuffled across rows (in every step of a sequence) and
the drop in AUC is its importance; a negative value means the model is better off without it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.metrics import roc_auc_score


def permutation_importance(
    predict: Callable[[np.ndarray], np.ndarray],
    inputs: np.ndarray,
    labels: np.ndarray,
    names: tuple[str, ...],
    *,
    repeats: int = 3,
    seed: int = 7,
) -> dict[str, float]:
    """AUC drop per feature for model inputs ``(rows, steps, features)``; empty without two classes."""
    y = np.asarray(labels, dtype=int)
    if np.unique(y).size < 2:
        return {}
    rng = np.random.default_rng(seed)
    base = roc_auc_score(y, predict(inputs))
    result = {}
    for i, name in enumerate(names):
        drops = []
        for _ in range(repeats):
            shuffled = inputs.copy()
            shuffled[:, :, i] = shuffled[rng.permutation(len(shuffled)), :, i]
            drops.append(base - roc_auc_score(y, predict(shuffled)))
        result[name] = float(np.mean(drops))
    return result

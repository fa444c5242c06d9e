"""Classification metrics of out-of-sample predictions, as JSON-safe numbers.

Precision, recall and F1 are measured at the *decision threshold* — the P(up) above which the
strategy buys (``strategy.buy_threshold``, 0.65) — because that is when a prediction costs money;
at 0.5 they would describe a model nobody trades. AUC and log-loss use the probabilities. A
window whose labels are all one class has no AUC (None), which the gates treat as a failure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from sklearn.metrics import f1_score, log_loss, precision_score, recall_score, roc_auc_score

CLASSIFICATION_KEYS = ("auc", "precision", "recall", "f1", "log_loss", "accuracy")


def classification_metrics(labels: np.ndarray, p_up: np.ndarray, threshold: float) -> dict[str, float | None]:
    y = np.asarray(labels, dtype=int)
    p = np.clip(np.asarray(p_up, dtype=np.float64), 1e-7, 1 - 1e-7)
    predicted = (p > threshold).astype(int)
    two_classes = np.unique(y).size == 2
    return {
        "n": float(len(y)),
        "base_rate": float(y.mean()) if len(y) else None,
        "positive_rate": float(predicted.mean()) if len(y) else None,
        "auc": float(roc_auc_score(y, p)) if two_classes else None,
        "precision": float(precision_score(y, predicted, zero_division=0)),
        "recall": float(recall_score(y, predicted, zero_division=0)),
        "f1": float(f1_score(y, predicted, zero_division=0)),
        "log_loss": float(log_loss(y, p, labels=[0, 1])),
        "accuracy": float((predicted == y).mean()) if len(y) else None,
    }


def finite_or_none(value: Any) -> Any:
    """NaN and ±inf as None: JSON (and PostgreSQL's JSONB) has no such numbers."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_safe(value: Any) -> Any:
    """``value`` with numpy scalars as Python numbers and non-finite floats as None, recursively."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return finite_or_none(value)


def mean_of(rows: Iterable[Mapping[str, Any]], key: str) -> float | None:
    """The mean of ``key`` over rows where it is a number; None when no row has one."""
    values = [row[key] for row in rows if isinstance(row.get(key), int | float)]
    return float(np.mean(values)) if values else None

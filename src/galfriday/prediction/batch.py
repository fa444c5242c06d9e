"""Batch inference for backtests: every bar's prediction in one call, where that changes nothing.

Live, the ``PredictionService`` predicts each feature vector as it arrives. A backtest over bars
knows every vector before the replay starts (``FeatureEngine.precompute``), and one call over all
the windows costs a fraction of one call per bar — but it must give the very same numbers, or the
backtest would not show what live trading would have done. That holds for an estimator whose
prediction of one window does not depend on which other windows share the call:

- the kinds in ``ROW_INDEPENDENT``: the random forest averages its trees' probabilities per row, in
  tree order — tested bit for bit against one-window calls on real features
  (tests/unit/prediction/test_batch.py);
- an estimator that declares ``row_independent = True`` (the rule stand-ins of tests and benches).

Not XGBoost (nor the ensemble holding it): one window goes through the compiled numpy trees, a
batch through XGBoost, which agree to ~1e-7 but not bit for bit. Not an LSTM: a matrix product over
a different batch may round differently. And as a last guard, a sample of windows is predicted one
at a time, exactly as the service would, and must match the batch bit for bit; if anything differs
the service keeps predicting bar by bar.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from galfriday.prediction.loaded import LoadedModel

#: Estimator kinds whose batch predictions equal their one-window predictions bit for bit.
ROW_INDEPENDENT = frozenset({"random_forest"})
#: Windows predicted one at a time as well, to compare with the batch.
SPOT_CHECKS = 24


@dataclass
class BatchPredictions:
    """One pair's vectors, known up front, and each member model's P(up) for them."""

    members: tuple[LoadedModel, ...]
    ts_ns: list[int]  # row k: the ts_event of the k-th vector the pair will receive
    too_many_missing: list[bool]  # row k: more missing values than a prediction may be made on
    p_up: list[list[float]]  # per member, per row: P(up) (NaN where the model makes none)
    next: int = field(default=0)  # the row of the next vector


def row_independent(model: LoadedModel) -> bool:
    estimator = model.bundle.estimator
    return bool(getattr(estimator, "row_independent", False)) or estimator.kind in ROW_INDEPENDENT


def missing_shares(matrix: np.ndarray) -> np.ndarray:
    """Per row, the share of missing values (as ``np.isnan(vector).mean()`` of each vector)."""
    return np.isnan(matrix).mean(axis=1)


def predict_rows(model: LoadedModel, matrix: np.ndarray, wanted: np.ndarray) -> np.ndarray | None:
    """P(up) of the window ending at each ``wanted`` row of ``matrix`` (NaN at the others), or None
    when batching this model would not be exact (see the module docstring) or the call failed.

    The window of row k is rows ``k - sequence_length + 1 .. k``, as the service's history holds it;
    rows before a full window stay NaN (the service is warming up there).
    """
    if not row_independent(model):
        return None
    length = model.sequence_length
    rows = np.flatnonzero(wanted & (np.arange(len(matrix)) >= length - 1))
    out = np.full(len(matrix), np.nan)
    if not len(rows):
        return out
    # (rows - length + 1, features, length) -> windows (n, length, features), as np.stack builds them
    windows = np.ascontiguousarray(sliding_window_view(matrix, length, axis=0).transpose(0, 2, 1))
    picked = windows[rows - (length - 1)]
    try:
        batch = np.asarray(model.predict(picked), dtype=np.float64).reshape(-1)
    except Exception:
        return None  # bar by bar, each failure is reported for its own bar
    if len(batch) != len(rows):
        return None
    for j in np.unique(np.linspace(0, len(rows) - 1, SPOT_CHECKS).astype(int)).tolist():
        k = int(rows[j])
        window = np.stack(list(matrix[k - length + 1 : k + 1]))[None, :, :]  # as the service does
        try:
            one = float(np.asarray(model.predict(window)).reshape(-1)[0])
        except Exception:
            return None
        if np.float64(one).tobytes() != batch[j].tobytes():
            return None
    out[rows] = batch
    return out

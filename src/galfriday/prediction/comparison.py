"""Score the production model on a candidate's walk-forward windows, for the gates' comparison.

Same rows, same labels (the candidate's), the production model's own feature set computed over the
same candles. When the production model cannot predict some test rows (a longer warm-up, an LSTM's
sequence), both models are scored on the rows they share, so neither gains from the other's gaps.

Caveat printed in the report: the production model may have been trained on some of these bars;
that can only flatter it, so a candidate that beats it anyway has earned it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from galfriday.features.batch import compute_features
from galfriday.features.spec import FeatureSet
from galfriday.prediction.backtest import CostModel, TradingRules
from galfriday.prediction.bundle import ModelBundle
from galfriday.prediction.datasets import Dataset
from galfriday.prediction.evaluation import WindowResult, evaluate_window


def score_on_windows(
    production: ModelBundle,
    production_features: FeatureSet,
    dataset: Dataset,
    windows: Sequence[WindowResult],
    rules: TradingRules,
    costs: CostModel,
) -> tuple[list[WindowResult], list[WindowResult]]:
    """(candidate windows restricted to the shared rows, production windows on the same rows)."""
    production_features.require_fingerprint(production.feature_fingerprint)
    columns = compute_features(dataset.bars, production_features).columns
    theirs = replace(
        dataset,
        feature_set=production_features,
        features=np.column_stack([columns[name] for name in production_features.names]),
    )
    length = production.sequence_length
    available = theirs.usable(length)
    mine_out, theirs_out = [], []
    for window in windows:
        keep = np.isin(window.rows, available)
        rows = window.rows[keep]
        if len(rows) == 0:
            continue
        mine = window
        if not keep.all():
            mine = evaluate_window(
                window.index, window.train_rows, rows, window.p_up[keep], dataset, rules, costs
            )
        p_up = production.predict(theirs.windows(rows, length))
        mine_out.append(mine)
        theirs_out.append(evaluate_window(window.index, 0, rows, p_up, theirs, rules, costs))
    return mine_out, theirs_out

"""Out-of-sample results of one walk-forward window: predictions, labels, metrics, mini-backtest.

The predictions are kept with the metrics so a candidate and the production model can be compared
on exactly the same rows (``comparison``), and so the report can draw ROC and calibration curves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from galfriday.prediction.backtest import BacktestResult, CostModel, TradingRules, mini_backtest
from galfriday.prediction.datasets import Dataset
from galfriday.prediction.metrics import CLASSIFICATION_KEYS, classification_metrics, finite_or_none, mean_of

TRADING_KEYS = ("sharpe", "profit_factor", "win_rate", "net_return", "n_trades")


@dataclass(frozen=True)
class WindowResult:
    index: int
    train_rows: int
    rows: np.ndarray  # test bar indices
    labels: np.ndarray
    p_up: np.ndarray
    classification: dict[str, float | None]
    trading: BacktestResult
    test_start_ns: int
    test_end_ns: int

    def to_dict(self) -> dict[str, Any]:
        metrics = self.classification | self.trading.to_dict()
        return {
            "window": self.index,
            "train_rows": self.train_rows,
            "test_rows": len(self.rows),
            "test_start_ns": self.test_start_ns,
            "test_end_ns": self.test_end_ns,
        } | {key: finite_or_none(value) for key, value in metrics.items()}


def evaluate_window(
    index: int,
    train_rows: int,
    rows: np.ndarray,
    p_up: np.ndarray,
    dataset: Dataset,
    rules: TradingRules,
    costs: CostModel,
) -> WindowResult:
    """Score predictions ``p_up`` for bars ``rows`` of ``dataset`` (labels and bars come from it)."""
    labels = dataset.labels[rows]
    close_ns = dataset.bar_close_ns
    return WindowResult(
        index=index,
        train_rows=train_rows,
        rows=rows,
        labels=labels,
        p_up=p_up,
        classification=classification_metrics(labels, p_up, rules.buy_threshold),
        trading=mini_backtest(p_up, rows, dataset.bars, dataset.interval_s, rules, costs),
        test_start_ns=int(close_ns[rows[0]]),
        test_end_ns=int(close_ns[rows[-1]]),
    )


def summarise(windows: Sequence[WindowResult]) -> dict[str, Any]:
    """Mean of each metric over the windows (a window without a value is left out of its mean)."""
    rows = [w.to_dict() for w in windows]
    summary: dict[str, Any] = {key: mean_of(rows, key) for key in (*CLASSIFICATION_KEYS, *TRADING_KEYS)}
    summary["n_trades"] = sum(w.trading.n_trades for w in windows)
    summary["windows"] = len(windows)
    return summary

"""Fit a model with walk-forward validation and package it with what inference and drift need.

For each walk-forward window a fresh model is trained on the window's training rows and scored on
its test rows (classification metrics and the cost-aware mini-backtest); those out-of-sample
numbers are the model's record. The model that ships is then fitted on every usable row — the
validation says how well this recipe does on unseen data; the shipped fit uses all the history.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from galfriday.prediction.backtest import CostModel, TradingRules
from galfriday.prediction.bundle import ModelBundle
from galfriday.prediction.datasets import Dataset, WalkForwardConfig, walk_forward
from galfriday.prediction.drift import DriftReference
from galfriday.prediction.errors import DatasetError
from galfriday.prediction.estimators import make_estimator
from galfriday.prediction.evaluation import WindowResult, evaluate_window, summarise
from galfriday.prediction.importance import permutation_importance
from galfriday.prediction.metrics import json_safe
from galfriday.prediction.preprocess import scale_free

Progress = Callable[[str, int, int], None]
"""Called with (what is being done, steps done, steps in total)."""


@dataclass(frozen=True)
class TrainingConfig:
    model_type: str = "xgboost"
    hyperparameters: Mapping[str, Any] = field(default_factory=dict)
    walk_forward: WalkForwardConfig = field(default_factory=WalkForwardConfig)
    rules: TradingRules | None = None  # None: the strategy defaults, holding time in the data's bars
    costs: CostModel = field(default_factory=CostModel)
    seed: int = 7


@dataclass(frozen=True)
class TrainingResult:
    bundle: ModelBundle
    windows: tuple[WindowResult, ...]
    summary: dict[str, Any]
    importance: dict[str, float]
    hyperparameters: dict[str, Any]
    rules: TradingRules
    costs: CostModel
    walk_forward: WalkForwardConfig
    training_rows: int
    data_start_ns: int  # close of the first usable bar
    data_end_ns: int  # close of the last usable bar
    training_seconds: float

    def metrics_document(self) -> dict[str, Any]:
        """Metrics per window and their summary, as stored with the model version."""
        return json_safe(
            {
                "windows": [w.to_dict() for w in self.windows],
                "summary": self.summary,
                "importance": self.importance,
                "rules": asdict(self.rules),
                "costs": asdict(self.costs),
                "walk_forward": asdict(self.walk_forward),
            }
        )


def train(
    dataset: Dataset,
    config: TrainingConfig = TrainingConfig(),
    *,
    progress: Progress | None = None,
    now_ns: Callable[[], int] = time.time_ns,
) -> TrainingResult:
    started = time.perf_counter()
    report = progress or (lambda _what, _done, _total: None)
    params = dict(config.hyperparameters)
    length = make_estimator(config.model_type, params, seed=config.seed).sequence_length
    rules = config.rules or TradingRules.for_interval(dataset.interval_s)
    rows = dataset.usable(length)
    splits = walk_forward(rows, config.walk_forward, dataset.label.horizon)
    pre = scale_free(dataset.feature_set)
    steps = len(splits) + 1

    def inputs(at: np.ndarray) -> np.ndarray:
        return pre.transform(dataset.windows(at, length))

    windows: list[WindowResult] = []
    for split in splits:
        report(f"window {split.index + 1}/{len(splits)}", split.index, steps)
        model = _fitted(
            config, params, inputs(split.train), dataset.labels[split.train], f"window {split.index}"
        )
        p_up = model.predict_proba(inputs(split.test))
        windows.append(
            evaluate_window(split.index, len(split.train), split.test, p_up, dataset, rules, config.costs)
        )
    # importance of the last window's model on its own test rows: out of sample, like the metrics
    last_model, last = model, splits[-1]
    importance = permutation_importance(
        last_model.predict_proba,
        inputs(last.test),
        dataset.labels[last.test],
        dataset.names,
        seed=config.seed,
    )
    report("final fit on all rows", len(splits), steps)
    final = _fitted(config, params, inputs(rows), dataset.labels[rows], "the final fit")
    summary = summarise(windows)
    reference = DriftReference.build(
        dataset.names,
        pre.transform(dataset.features[rows]),
        np.concatenate([w.p_up for w in windows]),
        accuracy=summary["accuracy"],
        auc=summary["auc"],
        threshold=rules.buy_threshold,
        seed=config.seed,
    )
    fs = dataset.feature_set
    bundle = ModelBundle(
        model_type=config.model_type,
        pair=dataset.pair,
        label=dataset.label,
        feature_set_id=fs.id,
        feature_fingerprint=fs.fingerprint,
        feature_names=fs.names,
        preprocessor=pre,
        estimator=final,
        reference=reference,
        trained_at_ns=now_ns(),
    )
    report("done", steps, steps)
    close_ns = dataset.bar_close_ns
    return TrainingResult(
        bundle=bundle,
        windows=tuple(windows),
        summary=summary,
        importance=importance,
        hyperparameters=json_safe(final.hyperparameters()),
        rules=rules,
        costs=config.costs,
        walk_forward=config.walk_forward,
        training_rows=len(rows),
        data_start_ns=int(close_ns[rows[0]]),
        data_end_ns=int(close_ns[rows[-1]]),
        training_seconds=time.perf_counter() - started,
    )


def _fitted(config: TrainingConfig, params: dict[str, Any], x: np.ndarray, y: np.ndarray, what: str) -> Any:
    if np.unique(y).size < 2:
        raise DatasetError(
            f"the labels of {what} are all {int(y[0])}: nothing to learn; use more history, a shorter "
            "horizon or a smaller margin"
        )
    model = make_estimator(config.model_type, params, seed=config.seed)
    model.fit(x, y)
    return model

"""Small stand-ins for trained models, so service and registry tests need no training.

Module-level classes on purpose: bundles are pickled into artefacts and the process-pool workers
(started with spawn) import this module to unpickle them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from galfriday.features.registry import FeatureRegistry
from galfriday.features.spec import FeatureSet
from galfriday.prediction.artifacts import ArtifactStore
from galfriday.prediction.backtest import CostModel, TradingRules
from galfriday.prediction.bundle import ModelBundle
from galfriday.prediction.datasets import WalkForwardConfig
from galfriday.prediction.drift import DriftReference
from galfriday.prediction.gates import GateDecision
from galfriday.prediction.labels import LabelSpec
from galfriday.prediction.loaded import LoadedModel
from galfriday.prediction.preprocess import scale_free
from galfriday.prediction.training import TrainingResult


def bars_v1() -> FeatureSet:
    return FeatureRegistry.load().feature_set("bars_v1")


class ConstantEstimator:
    """Always the same P(up); ``delay_s`` makes it slow enough to overlap with a swap."""

    kind = "stub"

    def __init__(self, p_up: float, *, delay_s: float = 0.0, sequence_length: int = 1) -> None:
        self.p_up = p_up
        self.delay_s = delay_s
        self.sequence_length = sequence_length

    def fit(self, windows: np.ndarray, labels: np.ndarray) -> None:
        return None

    def predict_proba(self, windows: np.ndarray) -> np.ndarray:
        if self.delay_s:
            time.sleep(self.delay_s)
        assert windows.shape[1] == self.sequence_length
        return np.full(len(windows), self.p_up)

    def hyperparameters(self) -> dict[str, Any]:
        return {"p_up": self.p_up}


class FailingEstimator(ConstantEstimator):
    def __init__(self) -> None:
        super().__init__(0.5)

    def predict_proba(self, windows: np.ndarray) -> np.ndarray:
        raise RuntimeError("model exploded")


def bundle(
    estimator: Any,
    feature_set: FeatureSet | None = None,
    *,
    pair: str = "XRP/USD",
    label: LabelSpec | None = None,
    model_type: str = "stub",
) -> ModelBundle:
    fs = feature_set or bars_v1()
    reference = DriftReference.build(
        fs.names,
        np.random.default_rng(1).normal(size=(200, len(fs.names))),
        np.linspace(0, 1, 200),
        accuracy=0.6,
        auc=0.6,
        threshold=0.65,
    )
    return ModelBundle(
        model_type=model_type,
        pair=pair,
        label=label or LabelSpec(),
        feature_set_id=fs.id,
        feature_fingerprint=fs.fingerprint,
        feature_names=fs.names,
        preprocessor=scale_free(fs),
        estimator=estimator,
        reference=reference,
        trained_at_ns=0,
    )


def loaded(
    model_id: str, the_bundle: ModelBundle, root: Path, *, weight: float = 1.0, critical: bool = False
) -> LoadedModel:
    """Save the bundle as an artefact under ``root`` and return it loaded."""
    store = ArtifactStore(root)
    sha, relative = store.put(the_bundle)
    return LoadedModel(
        model_id, the_bundle.pair, store.load(relative, sha), store.path(relative), sha, weight, critical
    )


def result(the_bundle: ModelBundle, *, auc: float = 0.6) -> TrainingResult:
    """A TrainingResult for registry tests, as if ``the_bundle`` had been trained."""
    return TrainingResult(
        bundle=the_bundle,
        windows=(),
        summary={"auc": auc, "precision": 0.7, "sharpe": 1.0, "n_trades": 10, "windows": 0},
        importance={},
        hyperparameters=the_bundle.estimator.hyperparameters(),
        rules=TradingRules(),
        costs=CostModel(),
        walk_forward=WalkForwardConfig(),
        training_rows=100,
        data_start_ns=1_637_000_000 * 10**9,
        data_end_ns=1_637_500_000 * 10**9,
        training_seconds=0.1,
    )


def decision(passed: bool, *reasons: str) -> GateDecision:
    return GateDecision(passed, reasons, {}, None)

"""Batch inference (``prediction.batch``, ``PredictionService.precompute``) changes no prediction.

A batch is only used where each window's prediction is bit for bit what one call per window gives;
a service answering from a batch publishes exactly the events, and counts exactly the stats, of one
predicting vector by vector.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import AlertRaised, FeatureVectorComputed, PredictionMade
from galfriday.prediction.batch import ROW_INDEPENDENT, predict_rows
from galfriday.prediction.datasets import build_dataset
from galfriday.prediction.errors import PredictionError
from galfriday.prediction.estimators.ensemble import AveragingEnsemble
from galfriday.prediction.estimators.trees import RandomForestEstimator, XGBoostEstimator
from galfriday.prediction.labels import LabelSpec
from galfriday.prediction.loaded import LoadedModel
from galfriday.prediction.preprocess import scale_free
from galfriday.prediction.service import PredictionService
from tests.unit.prediction import stubs

FS = stubs.bars_v1()
PAIR = "XRP/USD"


class WindowMean:
    """P(up) from the mean RSI (the first feature) over a window of ``sequence_length`` vectors;
    NaN (a failed prediction) when the window holds a missing RSI."""

    kind = "window-mean"
    row_independent = True

    def __init__(self, sequence_length: int, *, scale: float = 1.0) -> None:
        self.sequence_length = sequence_length
        self.scale = scale

    def fit(self, windows: np.ndarray, labels: np.ndarray) -> None:
        return None

    def predict_proba(self, windows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.scale * (np.mean(windows[:, :, 0], axis=1) - 50.0) / 10.0))

    def hyperparameters(self) -> dict[str, Any]:
        return {}


class BatchDependent(WindowMean):
    """Claims row independence, but a window's answer moves with the size of the batch."""

    def predict_proba(self, windows: np.ndarray) -> np.ndarray:
        return super().predict_proba(windows) * (1 - 1e-12 * (len(windows) - 1))


class OutOfRange(WindowMean):
    """P(up) above 1 for an RSI above 77: the service must report those, batch or not."""

    def predict_proba(self, windows: np.ndarray) -> np.ndarray:
        return np.mean(windows[:, :, 0], axis=1) / 100.0 * 1.3


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _features(xrp_5m: pa.Table) -> np.ndarray:
    """Real bars_v1 vectors of XRP/USDT 5-minute candles (NaN while indicators warm up)."""
    return np.asarray(build_dataset(xrp_5m, FS, LabelSpec(), pair="XRP/USDT").features, dtype=np.float64)


def test_a_forest_predicts_a_batch_as_it_predicts_one_window_at_a_time(xrp_5m: pa.Table) -> None:
    dataset = build_dataset(xrp_5m, FS, LabelSpec(), pair="XRP/USDT")
    rows = dataset.usable()
    windows = scale_free(FS).transform(dataset.windows(rows, 1))
    forest = RandomForestEstimator()
    forest.fit(windows[:1200], dataset.labels[rows[:1200]])
    batch = forest.predict_proba(windows)
    one_by_one = [forest.predict_proba(windows[i : i + 1])[0] for i in range(len(windows))]
    assert [_bits(x) for x in batch.tolist()] == [_bits(x) for x in one_by_one]
    assert "random_forest" in ROW_INDEPENDENT


def test_xgboost_and_the_ensemble_stay_bar_by_bar(tmp_path: Path, xrp_5m: pa.Table) -> None:
    """One XGBoost window goes through the compiled trees, a batch through XGBoost: close, not equal."""
    matrix = _features(xrp_5m)
    dataset = build_dataset(xrp_5m, FS, LabelSpec(), pair="XRP/USDT")
    rows = dataset.usable()
    windows = scale_free(FS).transform(dataset.windows(rows, 1))
    for estimator in (XGBoostEstimator(), AveragingEnsemble()):
        estimator.fit(windows[:1200], dataset.labels[rows[:1200]])
        model = stubs.loaded(estimator.kind, stubs.bundle(estimator), tmp_path / estimator.kind)
        assert estimator.kind not in ROW_INDEPENDENT
        assert predict_rows(model, matrix, np.ones(len(matrix), dtype=bool)) is None


def test_batch_rows_are_the_windows_the_service_would_predict(tmp_path: Path, xrp_5m: pa.Table) -> None:
    matrix = _features(xrp_5m)
    wanted = np.random.default_rng(5).random(len(matrix)) < 0.9
    model = stubs.loaded("mean-3", stubs.bundle(WindowMean(3)), tmp_path)
    out = predict_rows(model, matrix, wanted)
    assert out is not None
    for k in range(len(matrix)):
        if k < 2 or not wanted[k]:
            assert np.isnan(out[k])
        else:
            window = np.stack(list(matrix[k - 2 : k + 1]))[None, :, :]
            assert _bits(out[k]) == _bits(float(model.predict(window)[0]))


def test_a_batch_that_differs_from_single_windows_is_not_used(tmp_path: Path, xrp_5m: pa.Table) -> None:
    matrix = _features(xrp_5m)
    model = stubs.loaded("liar", stubs.bundle(BatchDependent(1)), tmp_path)
    assert predict_rows(model, matrix, np.ones(len(matrix), dtype=bool)) is None


def _vectors(matrix: np.ndarray) -> list[FeatureVectorComputed]:
    return [
        FeatureVectorComputed(
            ts_event=1000 + k,
            ts_init=1000 + k,
            correlation_id=f"bar-{k}",
            pair=PAIR,
            feature_set_id=FS.id,
            names=FS.names,
            values=tuple(row),
        )
        for k, row in enumerate(matrix.tolist())
    ]


def _answers(models: list[LoadedModel], matrix: np.ndarray, *, up_front: bool, **settings: Any):
    bus = SyncBus()
    made: list[PredictionMade] = []
    alerts: list[AlertRaised] = []
    bus.subscribe(PredictionMade, made.append)
    bus.subscribe(AlertRaised, alerts.append)
    service = PredictionService(bus, SimClock(0), FS, lambda m: m, inference_mode="inline", **settings)
    service.start(models)
    precomputed = service.precompute(PAIR, np.arange(len(matrix)) + 1000, matrix) if up_front else False
    for vector in _vectors(matrix):
        bus.publish(vector)
    events = [(e.ts_event, e.correlation_id, _bits(e.p_up), _bits(e.confidence), e.model_id) for e in made]
    return precomputed, events, [(a.title, a.message) for a in alerts], dict(service.stats)


@pytest.mark.parametrize(
    ("estimators", "settings"),
    [
        ([WindowMean(1)], {}),
        ([WindowMean(3, scale=40.0)], {"max_nan_share": 0.5, "confidence_floor": 0.2}),
        ([WindowMean(1), WindowMean(4, scale=-3.0)], {"ensemble_method": "average", "max_nan_share": 0.3}),
        ([WindowMean(2), WindowMean(1, scale=9.0)], {"ensemble_method": "vote", "max_nan_share": 1.0}),
        ([OutOfRange(1, scale=5.0)], {"max_nan_share": 0.2}),
    ],
)
def test_a_precomputed_service_publishes_what_a_streaming_one_does(
    tmp_path: Path, xrp_5m: pa.Table, estimators: list[Any], settings: dict[str, Any]
) -> None:
    matrix = _features(xrp_5m)
    models = [
        stubs.loaded(f"m{i}", stubs.bundle(e, label=LabelSpec(horizon=i + 1)), tmp_path / str(i))
        for i, e in enumerate(estimators)
    ]
    streamed = _answers(models, matrix, up_front=False, **settings)
    batched = _answers(models, matrix, up_front=True, **settings)
    assert batched[0] is True and streamed[1]
    assert batched[1:] == streamed[1:]
    if isinstance(estimators[0], OutOfRange):
        assert streamed[2] and streamed[3]["model_failures"] > 0  # the failure path ran, both ways


def test_precompute_refuses_what_it_cannot_answer_exactly(tmp_path: Path, xrp_5m: pa.Table) -> None:
    matrix = _features(xrp_5m)[:50]
    ts = np.arange(50) + 1000
    model = stubs.loaded("mean", stubs.bundle(WindowMean(1)), tmp_path)
    forest_stub = stubs.loaded("stub", stubs.bundle(stubs.ConstantEstimator(0.7)), tmp_path / "stub")

    def fresh(models: list[LoadedModel]) -> PredictionService:
        service = PredictionService(SyncBus(), SimClock(0), FS, lambda m: m, inference_mode="inline")
        service.start(models)
        return service

    assert fresh([forest_stub]).precompute(PAIR, ts, matrix) is False  # not known to be row-independent
    assert fresh([model]).precompute("DOGE/USD", ts, matrix) is False  # no model for the pair
    assert fresh([model]).precompute(PAIR, ts[:10], matrix) is False  # stamps and rows disagree
    seen = fresh([model])
    seen.on_features(_vectors(matrix)[0])
    assert seen.precompute(PAIR, ts, matrix) is False  # history already holds a vector

    service = fresh([model])
    assert service.precompute(PAIR, ts, matrix) is True
    vectors = _vectors(matrix)
    service.on_features(vectors[0])
    with pytest.raises(PredictionError, match="not the next precomputed one"):
        service.on_features(vectors[2])

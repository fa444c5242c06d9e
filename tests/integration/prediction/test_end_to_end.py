"""Real candles → training → gates → registry → PredictionService, inline and in a process pool.

The model is trained on real XRP/USDT 5-minute candles; the same candles are then replayed as
``BarClosed`` events through the live ``FeatureEngine`` into the ``PredictionService``, and the
streamed predictions must equal the batch predictions of the training pipeline, bar for bar.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import numpy as np
import pytest

from galfriday.core.bus import AsyncBus, SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import AlertRaised, FeatureVectorComputed, PredictionMade
from galfriday.features.candles import candle_columns
from galfriday.features.engine import FeatureEngine
from galfriday.features.registry import FeatureRegistry
from galfriday.prediction.datasets import build_dataset, load_candles
from galfriday.prediction.errors import ArtifactIntegrityError, FeatureContractError, ModelLoadError
from galfriday.prediction.gates import GateConfig
from galfriday.prediction.labels import LabelSpec
from galfriday.prediction.loaded import LoadedModel
from galfriday.prediction.pipeline import TrainOutcome, TrainRequest, run_training
from galfriday.prediction.registry import ModelRegistry
from galfriday.prediction.service import PredictionService
from galfriday.storage.db.records_ml import ModelStage, ModelVersionRecord
from tests.unit.features._refs import bar_events

PAIR = "XRP/USDT"
SMALL = {"n_estimators": 40}
LENIENT = GateConfig(min_auc=0.0, min_precision=-1.0)  # real candles hold no edge worth trading


async def train(
    registry: ModelRegistry, data: Path, tmp_path: Path, gates: GateConfig, seed: int = 7
) -> TrainOutcome:
    request = TrainRequest(
        data=data, pair=PAIR, hyperparameters=SMALL, gates=gates, seed=seed, report_dir=tmp_path / "reports"
    )
    return await run_training(request, registry)


@pytest.fixture
async def production(sqlite_registry: ModelRegistry, xrp_5m_path: Path, tmp_path: Path) -> ModelVersionRecord:
    rejected = await train(sqlite_registry, xrp_5m_path, tmp_path, GateConfig())
    assert rejected.version.stage is ModelStage.DEVELOPMENT and not rejected.decision.passed
    assert rejected.version.stage_reason.startswith("failed gates: AUC")
    assert rejected.report_path is not None and rejected.report_path.is_file()
    accepted = await train(sqlite_registry, xrp_5m_path, tmp_path, LENIENT)
    assert accepted.version.stage is ModelStage.STAGING and accepted.decision.passed
    return await sqlite_registry.promote(accepted.version.model_id, ModelStage.PRODUCTION)


def batch_predictions(registry: ModelRegistry, version: ModelVersionRecord, data: Path) -> dict[int, float]:
    """P(up) per bar close from the training-time pipeline: batch features, the bundle's predict."""
    fs = FeatureRegistry.load().feature_set("bars_v1")
    ds = build_dataset(load_candles(data), fs, LabelSpec(), pair=PAIR)
    finite = np.flatnonzero(np.isfinite(ds.features).all(axis=1))
    p_up = registry.load(version, fs).predict(ds.windows(finite, 1))
    return dict(zip(ds.bar_close_ns[finite].tolist(), p_up.tolist(), strict=True))


async def test_candles_to_predictions_inline_on_the_backtest_bus(
    sqlite_registry: ModelRegistry, production: ModelVersionRecord, xrp_5m_path: Path
) -> None:
    fs = FeatureRegistry.load().feature_set("bars_v1")
    bus = SyncBus()
    made: list[PredictionMade] = []
    bus.subscribe(PredictionMade, made.append)
    FeatureEngine(bus, SimClock(0), fs, interval_s=300).start()
    service = PredictionService(
        bus, SimClock(0), fs, lambda v: sqlite_registry.load(v, fs), inference_mode="inline"
    )
    service.start(await sqlite_registry.production([PAIR]))
    table = load_candles(xrp_5m_path)
    cols = candle_columns(table)
    candles = {"timestamp": cols.open_time_ns} | {
        k: getattr(cols, k) for k in ("open", "high", "low", "close", "volume")
    }
    for bar in bar_events(candles, PAIR, 300):
        bus.publish(bar)
    expected = batch_predictions(sqlite_registry, production, xrp_5m_path)
    assert len(made) == len(expected) == 1999 - 33  # every bar after MACD's warm-up
    assert {p.model_id for p in made} == {production.model_id}
    assert {p.prediction_target for p in made} == {production.prediction_target}
    streamed = {p.ts_event: p.p_up for p in made}
    assert streamed.keys() == expected.keys()
    np.testing.assert_allclose(list(streamed.values()), [expected[t] for t in streamed], rtol=0, atol=1e-6)
    assert service.stats["too_many_missing"] == 33


async def test_predictions_from_a_process_pool_on_the_live_bus(
    sqlite_registry: ModelRegistry, production: ModelVersionRecord, xrp_5m_path: Path
) -> None:
    fs = FeatureRegistry.load().feature_set("bars_v1")
    ds = build_dataset(load_candles(xrp_5m_path), fs, LabelSpec(), pair=PAIR)
    rows = ds.usable()[-40:]
    expected = batch_predictions(sqlite_registry, production, xrp_5m_path)
    bus = AsyncBus()
    made: list[PredictionMade] = []
    bus.subscribe(PredictionMade, made.append)
    service = PredictionService(
        bus, SimClock(0), fs, lambda v: sqlite_registry.load(v, fs), inference_mode="process", workers=2
    )
    service.start(await sqlite_registry.production([PAIR]))
    await bus.start()
    try:
        for row in rows:
            ts = int(ds.bar_close_ns[row])
            bus.publish(
                FeatureVectorComputed(
                    ts_event=ts,
                    ts_init=ts,
                    pair=PAIR,
                    feature_set_id="bars_v1",
                    names=fs.names,
                    values=tuple(ds.features[row].tolist()),
                )
            )
        for _ in range(600):  # the first request waits for the workers to start (spawn)
            if len(made) == len(rows):
                break
            await asyncio.sleep(0.05)
    finally:
        await bus.stop()
        service.stop()
    assert len(made) == len(rows) and {p.model_id for p in made} == {production.model_id}
    for p in made:
        assert p.p_up == pytest.approx(expected[p.ts_event], abs=1e-6)


async def test_wrong_features_and_tampered_artefacts_are_refused(
    sqlite_registry: ModelRegistry, production: ModelVersionRecord
) -> None:
    features = FeatureRegistry.load()
    with pytest.raises(FeatureContractError, match=f"model {production.model_id} expects the features"):
        sqlite_registry.load(production, features.feature_set("default_v1"))
    path = sqlite_registry.artifacts.path(production.artifact_path)
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(ArtifactIntegrityError, match="changed or corrupted"):
        sqlite_registry.load(production)
    fs = features.feature_set("bars_v1")
    bus = SyncBus()
    alerts: list[AlertRaised] = []
    bus.subscribe(AlertRaised, alerts.append)

    def loader(version: ModelVersionRecord) -> LoadedModel:
        return sqlite_registry.load(version, fs)

    skipping = PredictionService(bus, SimClock(0), fs, loader, inference_mode="inline")
    skipping.start([production])
    assert skipping.models() == {} and "changed or corrupted" in alerts[0].message
    critical = dataclasses.replace(production, critical=True)
    with pytest.raises(
        ModelLoadError, match=f"critical production model {production.model_id} .*Start-up stopped"
    ):
        PredictionService(bus, SimClock(0), fs, loader, inference_mode="inline").start([critical])

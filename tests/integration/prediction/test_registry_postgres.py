"""The registry on the real PostgreSQL server: stages, rollback, concurrent promotions, and a model
trained on real candles going from training to a prediction through it."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.errors import GalFridayError
from galfriday.core.events import FeatureVectorComputed, PredictionMade
from galfriday.features.registry import FeatureRegistry
from galfriday.prediction.gates import GateConfig
from galfriday.prediction.pipeline import TrainRequest, run_training
from galfriday.prediction.registry import ModelRegistry
from galfriday.prediction.service import PredictionService
from galfriday.storage.db.records_ml import ModelStage, StageTransitionError
from tests.unit.prediction import stubs

pytestmark = pytest.mark.postgres


async def register(registry: ModelRegistry, p_up: float, passed: bool = True):
    the_bundle = stubs.bundle(stubs.ConstantEstimator(p_up))
    return await registry.register(
        stubs.result(the_bundle), stubs.decision(passed, *(() if passed else ("AUC low",)))
    )


async def test_stage_transitions_and_rollback_on_postgres(pg_registry: ModelRegistry) -> None:
    a, b = await register(pg_registry, 0.6), await register(pg_registry, 0.7)
    failed = await register(pg_registry, 0.8, passed=False)
    assert failed.stage is ModelStage.DEVELOPMENT
    await pg_registry.promote(a.model_id, ModelStage.PRODUCTION)
    promoted = await pg_registry.promote(b.model_id, ModelStage.PRODUCTION, critical=True)
    assert promoted.previous_production_id == a.model_id and promoted.critical
    with pytest.raises(StageTransitionError, match="failed its acceptance gates"):
        await pg_registry.promote(failed.model_id, ModelStage.PRODUCTION)
    assert [v.model_id for v in await pg_registry.production()] == [b.model_id]
    assert (await pg_registry.rollback("XRP/USD")).model_id == a.model_id
    assert [h.to_stage for h in await pg_registry.history(b.model_id)] == [
        ModelStage.STAGING,
        ModelStage.PRODUCTION,
        ModelStage.ARCHIVED,
    ]
    assert pg_registry.load(a, stubs.bars_v1()).model_id == a.model_id


async def test_concurrent_promotions_leave_exactly_one_production_model(pg_registry: ModelRegistry) -> None:
    versions = [await register(pg_registry, p) for p in (0.55, 0.6, 0.65, 0.7)]
    results = await asyncio.gather(
        *(pg_registry.promote(v.model_id, ModelStage.PRODUCTION) for v in versions), return_exceptions=True
    )
    assert all(not isinstance(r, BaseException) or isinstance(r, GalFridayError) for r in results)
    assert any(not isinstance(r, BaseException) for r in results)
    production = await pg_registry.production(["XRP/USD"])
    assert len(production) == 1
    archived = await pg_registry.list_versions(stage=ModelStage.ARCHIVED)
    succeeded = sum(not isinstance(r, BaseException) for r in results)
    assert len(archived) == succeeded - 1


async def test_a_model_trained_on_real_candles_through_postgres(
    pg_registry: ModelRegistry, xrp_5m_path: Path, tmp_path: Path
) -> None:
    fs = FeatureRegistry.load().feature_set("bars_v1")
    request = TrainRequest(data=xrp_5m_path, pair="XRP/USDT", hyperparameters={"n_estimators": 30})
    rejected = await run_training(request, pg_registry)
    assert rejected.version.stage is ModelStage.DEVELOPMENT
    assert rejected.version.stage_reason.startswith("failed gates")
    stored = await pg_registry.get(rejected.version.model_id)
    assert stored.metrics == rejected.version.metrics and len(stored.metrics["windows"]) == 4
    lenient = dataclasses.replace(request, gates=GateConfig(min_auc=0.0, min_precision=-1.0))
    accepted = await run_training(lenient, pg_registry)
    production = await pg_registry.promote(accepted.version.model_id, ModelStage.PRODUCTION)
    bus = SyncBus()
    made: list[PredictionMade] = []
    bus.subscribe(PredictionMade, made.append)
    service = PredictionService(
        bus, SimClock(0), fs, lambda v: pg_registry.load(v, fs), inference_mode="inline"
    )
    service.start(await pg_registry.production(["XRP/USDT"]))
    bus.publish(
        FeatureVectorComputed(
            ts_event=1,
            ts_init=1,
            pair="XRP/USDT",
            feature_set_id="bars_v1",
            names=fs.names,
            values=(1.0,) * len(fs.names),
        )
    )
    assert [p.model_id for p in made] == [production.model_id]

"""The model registry on SQLite: stages, one production model per pair, rollback, artefact checks."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from galfriday.features.registry import FeatureRegistry
from galfriday.prediction.errors import ArtifactIntegrityError, FeatureContractError
from galfriday.prediction.registry import ModelRegistry
from galfriday.storage.db.records_ml import ModelStage, StageTransitionError
from tests.unit.prediction import stubs


class Clock:
    """Distinct, increasing registration times so model ids and the history are ordered."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def registry(registry: ModelRegistry) -> ModelRegistry:
    registry._now = Clock()
    return registry


async def register(registry: ModelRegistry, p_up: float, *, passed: bool = True, pair: str = "XRP/USD"):
    the_bundle = stubs.bundle(stubs.ConstantEstimator(p_up), pair=pair)
    reasons = () if passed else ("AUC 0.500 is not above 0.55",)
    return await registry.register(stubs.result(the_bundle), stubs.decision(passed, *reasons))


async def test_registration_stores_metadata_and_the_artefact(registry: ModelRegistry) -> None:
    version = await register(registry, 0.7)
    assert version.stage is ModelStage.STAGING and version.gate_passed
    fs = stubs.bars_v1()
    assert (version.feature_set_id, version.feature_fingerprint) == ("bars_v1", fs.fingerprint)
    assert version.feature_names == list(fs.names)
    assert version.prediction_target == "up_h12_fee52_m10"
    assert version.metrics["summary"]["auc"] == 0.6 and version.hyperparameters == {"p_up": 0.7}
    assert version.data_start < version.data_end and version.training_rows == 100
    assert registry.artifacts.path(version.artifact_path).is_file()
    assert version.artifact_path.endswith(f"{version.artifact_sha256}.model")
    loaded = registry.load(version, fs)
    assert loaded.model_id == version.model_id and loaded.predict(np.ones((1, 1, len(fs.names))))[0] == 0.7
    assert [c.to_stage for c in await registry.history(version.model_id)] == [ModelStage.STAGING]


async def test_a_gate_failure_registers_in_development_with_the_reasons(registry: ModelRegistry) -> None:
    version = await register(registry, 0.5, passed=False)
    assert version.stage is ModelStage.DEVELOPMENT
    assert version.stage_reason == "failed gates: AUC 0.500 is not above 0.55"
    with pytest.raises(StageTransitionError, match=r"failed its acceptance gates .*AUC 0\.500"):
        await registry.promote(version.model_id, ModelStage.PRODUCTION)
    assert (await registry.get(version.model_id)).stage is ModelStage.DEVELOPMENT
    forced = await registry.promote(version.model_id, ModelStage.PRODUCTION, force=True, reason="incident 12")
    assert forced.stage is ModelStage.PRODUCTION and forced.stage_reason == "forced: incident 12"


async def test_one_production_model_per_pair_promote_demotes_and_rollback_restores(
    registry: ModelRegistry,
) -> None:
    a, b, c = [await register(registry, p) for p in (0.6, 0.7, 0.8)]
    other_pair = await register(registry, 0.9, pair="DOGE/USD")
    await registry.promote(other_pair.model_id, ModelStage.PRODUCTION)

    assert (await registry.promote(a.model_id, ModelStage.PRODUCTION)).previous_production_id is None
    promoted_b = await registry.promote(b.model_id, ModelStage.PRODUCTION)
    assert promoted_b.previous_production_id == a.model_id
    assert (await registry.get(a.model_id)).stage is ModelStage.ARCHIVED
    assert (await registry.get(a.model_id)).stage_reason == f"replaced by {b.model_id}"
    await registry.promote(c.model_id, ModelStage.PRODUCTION)
    production = {v.pair: v.model_id for v in await registry.production()}
    assert production == {"XRP/USD": c.model_id, "DOGE/USD": other_pair.model_id}

    restored = await registry.rollback("XRP/USD")
    assert restored.model_id == b.model_id and restored.stage is ModelStage.PRODUCTION
    assert (await registry.get(c.model_id)).stage_reason == "rolled back"
    assert (await registry.rollback("XRP/USD")).model_id == a.model_id  # one step further back
    with pytest.raises(StageTransitionError, match="nothing to restore"):
        await registry.rollback("XRP/USD")
    # the failed rollback changed nothing: a is still production, alone
    assert [v.model_id for v in await registry.production(["XRP/USD"])] == [a.model_id]
    history = [(h.from_stage, h.to_stage) for h in await registry.history(b.model_id)]
    assert history == [
        (None, ModelStage.STAGING),
        (ModelStage.STAGING, ModelStage.PRODUCTION),
        (ModelStage.PRODUCTION, ModelStage.ARCHIVED),
        (ModelStage.ARCHIVED, ModelStage.PRODUCTION),
        (ModelStage.PRODUCTION, ModelStage.ARCHIVED),
    ]


async def test_refusals_say_why(registry: ModelRegistry) -> None:
    version = await register(registry, 0.6)
    with pytest.raises(StageTransitionError, match="no model version 'nope'"):
        await registry.promote("nope", ModelStage.PRODUCTION)
    with pytest.raises(StageTransitionError, match="already in staging"):
        await registry.promote(version.model_id, ModelStage.STAGING)
    with pytest.raises(StageTransitionError, match="no production model"):
        await registry.rollback("XRP/USD")
    archived = await registry.archive(version.model_id, "superseded")
    assert archived.stage is ModelStage.ARCHIVED and archived.stage_reason == "superseded"
    with pytest.raises(StageTransitionError, match="already in archived"):
        await registry.archive(version.model_id)
    assert (await registry.promote(version.model_id, ModelStage.STAGING)).stage is ModelStage.STAGING


async def test_promotion_can_mark_a_model_critical(registry: ModelRegistry) -> None:
    version = await register(registry, 0.6)
    promoted = await registry.promote(version.model_id, ModelStage.PRODUCTION, critical=True)
    assert promoted.critical


async def test_a_tampered_artefact_is_refused(registry: ModelRegistry) -> None:
    version = await register(registry, 0.6)
    path = registry.artifacts.path(version.artifact_path)
    data = bytearray(path.read_bytes())
    data[-20] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(
        ArtifactIntegrityError, match=r"SHA-256 .* but the registry recorded .*changed or corrupted"
    ):
        registry.load(version)
    path.unlink()
    with pytest.raises(ArtifactIntegrityError, match="cannot be read"):
        registry.load(version)


async def test_a_model_is_refused_for_other_features(registry: ModelRegistry) -> None:
    version = await register(registry, 0.6)
    default_v1 = FeatureRegistry.load().feature_set("default_v1")
    with pytest.raises(
        FeatureContractError,
        match=r"expects the features rsi_14, roc_5.*configure features\.feature_set = bars_v1",
    ):
        registry.load(version, default_v1)
    fs = stubs.bars_v1()
    # same names and order, one definition changed: only the fingerprint tells them apart
    changed = dataclasses.replace(fs.features[0], version=2)
    redefined = dataclasses.replace(fs, features=(changed, *fs.features[1:]))
    with pytest.raises(FeatureContractError, match="fingerprint"):
        registry.load(version, redefined)
    # the registry's own record disagreeing with the artefact is refused too
    lying = dataclasses.replace(version, feature_names=list(reversed(version.feature_names)))
    with pytest.raises(FeatureContractError, match="registry recorded"):
        registry.load(lying, fs)

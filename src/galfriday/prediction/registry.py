"""``ModelRegistry``: model versions and their stages in the database, artefacts on disk.

Registering stores the artefact (content-addressed, SHA-256) under ``prediction.models_dir`` and its
metadata — metrics per walk-forward window, hyperparameters, feature set id, fingerprint and
ordered names, label, data range, training time, artefact hash, gate decision — in
``model_versions``. A model that passed its gates enters *staging*, one that failed enters
*development* with the reasons; production is always an explicit promotion (``promote``), which
archives the previous production model of the pair and target in the same transaction. ``rollback``
restores the model the current one replaced.

The registry talks to the database through ``ModelCatalog`` (``storage``'s ``ModelRepository``
implements it), so it can be tested and used without knowing the backend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from galfriday.features.spec import FeatureSet
from galfriday.prediction.artifacts import ArtifactStore
from galfriday.prediction.errors import PredictionError
from galfriday.prediction.gates import GateDecision
from galfriday.prediction.loaded import LoadedModel, check_contract
from galfriday.prediction.training import TrainingResult
from galfriday.storage.db.records_ml import (
    ModelStage,
    ModelVersionRecord,
    StageChangeRecord,
    StageTransitionError,
)

NS_PER_US = 1_000
MIN_WEIGHT = 0.01


class ModelCatalog(Protocol):
    async def add(self, record: ModelVersionRecord) -> ModelVersionRecord: ...

    async def get(self, model_id: str) -> ModelVersionRecord | None: ...

    async def list_versions(
        self, *, pair: str | None = None, stage: ModelStage | None = None, limit: int = 100
    ) -> list[ModelVersionRecord]: ...

    async def production(self, pairs: Sequence[str] | None = None) -> list[ModelVersionRecord]: ...

    async def history(self, model_id: str) -> list[StageChangeRecord]: ...

    async def promote(
        self,
        model_id: str,
        stage: ModelStage,
        *,
        at: datetime,
        reason: str,
        force: bool = False,
        critical: bool | None = None,
    ) -> ModelVersionRecord: ...

    async def rollback(
        self, pair: str, prediction_target: str, *, at: datetime, reason: str = ...
    ) -> ModelVersionRecord: ...

    async def archive(self, model_id: str, *, at: datetime, reason: str = ...) -> ModelVersionRecord: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


def utc_from_ns(ts_ns: int) -> datetime:
    return datetime.fromtimestamp(ts_ns // NS_PER_US / 1e6, tz=UTC)


class ModelRegistry:
    def __init__(
        self, catalog: ModelCatalog, artifacts: ArtifactStore, *, now: Callable[[], datetime] = _utc_now
    ) -> None:
        self.catalog = catalog
        self.artifacts = artifacts
        self._now = now

    async def register(self, result: TrainingResult, decision: GateDecision) -> ModelVersionRecord:
        """Store the artefact and the version: staging when the gates passed, else development."""
        bundle = result.bundle
        sha, relative = self.artifacts.put(bundle)
        created = self._now()
        slug = "".join(ch for ch in bundle.pair if ch.isalnum())
        model_id = f"{bundle.model_type}-{slug}-{created:%Y%m%dT%H%M%S}-{sha[:8]}"
        stage = ModelStage.STAGING if decision.passed else ModelStage.DEVELOPMENT
        reason = (
            "passed the acceptance gates"
            if decision.passed
            else "failed gates: " + "; ".join(decision.reasons)
        )
        record = ModelVersionRecord(
            model_id=model_id,
            pair=bundle.pair,
            prediction_target=bundle.prediction_target,
            model_type=bundle.model_type,
            stage=stage,
            stage_reason=reason,
            feature_set_id=bundle.feature_set_id,
            feature_fingerprint=bundle.feature_fingerprint,
            feature_names=list(bundle.feature_names),
            hyperparameters=result.hyperparameters,
            label=bundle.label.to_dict(),
            metrics=result.metrics_document(),
            gate=decision.to_dict(),
            gate_passed=decision.passed,
            data_start=utc_from_ns(result.data_start_ns),
            data_end=utc_from_ns(result.data_end_ns),
            training_rows=result.training_rows,
            training_seconds=result.training_seconds,
            artifact_sha256=sha,
            artifact_path=relative,
            created_at=created,
            stage_changed_at=created,
        )
        return await self.catalog.add(record)

    async def get(self, model_id: str) -> ModelVersionRecord:
        version = await self.catalog.get(model_id)
        if version is None:
            raise PredictionError(f"no model version {model_id!r}; list them with `galfriday models list`")
        return version

    async def list_versions(
        self, *, pair: str | None = None, stage: ModelStage | None = None, limit: int = 100
    ) -> list[ModelVersionRecord]:
        return await self.catalog.list_versions(pair=pair, stage=stage, limit=limit)

    async def production(self, pairs: Sequence[str] | None = None) -> list[ModelVersionRecord]:
        return await self.catalog.production(pairs)

    async def history(self, model_id: str) -> list[StageChangeRecord]:
        return await self.catalog.history(model_id)

    async def promote(
        self,
        model_id: str,
        stage: ModelStage,
        *,
        force: bool = False,
        critical: bool | None = None,
        reason: str = "",
    ) -> ModelVersionRecord:
        """Promote to staging or production; ``force`` lets a gate-failed model into production."""
        why = reason or f"promoted to {stage}"
        if force:
            why = f"forced: {why}"
        return await self.catalog.promote(
            model_id, ModelStage(stage), at=self._now(), reason=why, force=force, critical=critical
        )

    async def rollback(self, pair: str, prediction_target: str | None = None) -> ModelVersionRecord:
        """Restore the production model that the current one of ``pair`` (and target) replaced."""
        if prediction_target is None:
            targets = sorted({v.prediction_target for v in await self.catalog.production([pair])})
            if not targets:
                raise StageTransitionError(f"{pair} has no production model: nothing to roll back")
            if len(targets) > 1:
                raise StageTransitionError(
                    f"{pair} has production models for targets {', '.join(targets)}; "
                    "name the one to roll back with --target"
                )
            prediction_target = targets[0]
        return await self.catalog.rollback(pair, prediction_target, at=self._now())

    async def archive(self, model_id: str, reason: str = "archived") -> ModelVersionRecord:
        return await self.catalog.archive(model_id, at=self._now(), reason=reason)

    def load(self, version: ModelVersionRecord, feature_set: FeatureSet | None = None) -> LoadedModel:
        """The version's artefact, verified (hash, recorded features, and ``feature_set`` when given)."""
        bundle = self.artifacts.load(version.artifact_path, version.artifact_sha256)
        check_contract(
            bundle,
            model_id=version.model_id,
            feature_names=version.feature_names,
            fingerprint=version.feature_fingerprint,
            feature_set=feature_set,
        )
        return LoadedModel(
            model_id=version.model_id,
            pair=version.pair,
            bundle=bundle,
            artifact_path=self.artifacts.path(version.artifact_path),
            artifact_sha256=version.artifact_sha256,
            weight=weight_of(version),
            critical=version.critical,
        )


def weight_of(version: ModelVersionRecord) -> float:
    """A model's vote in the 'weighted' ensemble: its validation AUC's edge over a coin flip."""
    auc = (version.metrics.get("summary") or {}).get("auc")
    return max(float(auc) - 0.5, MIN_WEIGHT) if isinstance(auc, int | float) else MIN_WEIGHT

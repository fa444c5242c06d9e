"""Plain values of the model registry and the A/B experiments (see ``models_ml``).

Kept apart from ``records`` because these tables are not among the seven of the schema document.
The stage rules live here, next to the values they govern, so the repository (which enforces them
atomically in SQL) and the prediction package (which explains a refusal) read the same table.
Timestamps are aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from galfriday.core.errors import GalFridayError


class ModelStage(StrEnum):
    """Life cycle of a model version: only ``production`` models trade."""

    DEVELOPMENT = "development"  # registered; failed a gate, or not reviewed yet
    STAGING = "staging"  # passed the gates; waiting for a person to promote it
    PRODUCTION = "production"  # at most one per (pair, prediction_target)
    ARCHIVED = "archived"  # replaced, rolled back or retired; kept for audit and rollback


PROMOTABLE_FROM: dict[ModelStage, frozenset[ModelStage]] = {
    ModelStage.STAGING: frozenset({ModelStage.DEVELOPMENT, ModelStage.ARCHIVED}),
    ModelStage.PRODUCTION: frozenset({ModelStage.DEVELOPMENT, ModelStage.STAGING, ModelStage.ARCHIVED}),
}
"""Stages a model may be promoted *to* (keys) from (values). Archiving is allowed from any stage."""


class StageTransitionError(GalFridayError):
    """A stage change the registry rules forbid (e.g. production for a model that failed its gates)."""


class ExperimentStatus(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"  # auto-stopped (significance, time or loss limit) or stopped by a person


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelVersionRecord:
    """One trained model: what it was trained on, how it scored, where its artefact is, its stage."""

    model_id: str
    pair: str
    prediction_target: str  # the label definition, e.g. "up_h12_fee52_m10"
    model_type: str  # xgboost | random_forest | lstm | ensemble
    stage: ModelStage
    stage_reason: str  # why it is in this stage (gate failures, "replaced by …", "rolled back")
    feature_set_id: str
    feature_fingerprint: str
    feature_names: list[str]  # in vector order
    hyperparameters: dict[str, Any]
    label: dict[str, Any]  # the label specification
    metrics: dict[str, Any]  # {"windows": [...], "summary": {...}}, out-of-sample, net of fees
    gate: dict[str, Any]  # {"passed", "reasons", "vs_production"}
    gate_passed: bool
    data_start: datetime
    data_end: datetime
    training_rows: int
    training_seconds: float
    artifact_sha256: str
    artifact_path: str  # relative to prediction.models_dir
    created_at: datetime
    stage_changed_at: datetime
    critical: bool = False  # a critical production model that fails to load stops start-up
    previous_production_id: str | None = None  # what a rollback restores


@dataclass(frozen=True, slots=True, kw_only=True)
class StageChangeRecord:
    """One line of a model's audit trail."""

    model_id: str
    from_stage: ModelStage | None  # None when the model was registered
    to_stage: ModelStage
    changed_at: datetime
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ExperimentRecord:
    """An A/B experiment and its latest results; saving it again replaces the stored state."""

    experiment_id: str
    control_model_id: str
    treatment_model_id: str
    allocation: str  # random | hash
    status: ExperimentStatus
    config: dict[str, Any]  # share, seed, min samples, alpha, time and loss limits
    results: dict[str, Any]  # per-arm counts, win rates, mean P&L, z, p-value, decision
    started_at: datetime
    updated_at: datetime
    stop_reason: str | None = None
    ended_at: datetime | None = None

"""``run_training``: candles on disk to a registered, gated, reported model version.

The steps of ``galfriday train``, as one function the CLI and the tests share: read the candles in
place, build features and labels, train with walk-forward validation, score the current production
model of the same pair and target on the same windows, apply the gates, register the version
(staging or development, never production) and write the HTML report.

If the production model exists but cannot be scored (its artefact fails verification, its features
are unknown), the comparison gate fails: a candidate is never waved through because the model it
had to beat was unreadable.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from galfriday.core.errors import GalFridayError
from galfriday.features.registry import FeatureRegistry
from galfriday.prediction.backtest import CostModel, TradingRules
from galfriday.prediction.comparison import score_on_windows
from galfriday.prediction.datasets import Dataset, WalkForwardConfig, build_dataset, load_candles
from galfriday.prediction.gates import GateConfig, GateDecision, evaluate_gates
from galfriday.prediction.labels import LabelSpec
from galfriday.prediction.registry import ModelRegistry
from galfriday.prediction.report import write_report
from galfriday.prediction.training import Progress, TrainingConfig, TrainingResult, train
from galfriday.storage.db.records_ml import ModelVersionRecord


@dataclass(frozen=True)
class TrainRequest:
    data: Path
    pair: str
    model_type: str = "xgboost"
    feature_set_id: str = "bars_v1"
    label: LabelSpec = field(default_factory=LabelSpec)
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    walk_forward: WalkForwardConfig = field(default_factory=WalkForwardConfig)
    gates: GateConfig = field(default_factory=GateConfig)
    costs: CostModel = field(default_factory=CostModel)
    rules: TradingRules | None = None
    seed: int = 7
    feature_registry: Path | None = None  # features.registry_path
    report_dir: Path | None = None


@dataclass(frozen=True)
class TrainOutcome:
    version: ModelVersionRecord
    result: TrainingResult
    decision: GateDecision
    report_path: Path | None


async def run_training(
    request: TrainRequest, registry: ModelRegistry, *, progress: Progress | None = None
) -> TrainOutcome:
    features = FeatureRegistry.load(request.feature_registry)
    feature_set = features.feature_set(request.feature_set_id)
    table = load_candles(request.data)
    dataset = build_dataset(table, feature_set, request.label, pair=request.pair)
    config = TrainingConfig(
        model_type=request.model_type,
        hyperparameters=request.hyperparameters,
        walk_forward=request.walk_forward,
        rules=request.rules,
        costs=request.costs,
        seed=request.seed,
    )
    result = await asyncio.to_thread(train, dataset, config, progress=progress)
    decision = await _judge(result, dataset, features, registry, request.gates)
    version = await registry.register(result, decision)
    report = None
    if request.report_dir is not None:
        report = write_report(result, decision, version.model_id, request.report_dir)
    return TrainOutcome(version, result, decision, report)


async def _judge(
    result: TrainingResult,
    dataset: Dataset,
    features: FeatureRegistry,
    registry: ModelRegistry,
    gates: GateConfig,
) -> GateDecision:
    target = result.bundle.prediction_target
    current = [v for v in await registry.production([dataset.pair]) if v.prediction_target == target]
    if not current:
        return evaluate_gates(result.windows, gates)
    production = current[0]
    try:
        loaded = registry.load(production)
        theirs_fs = features.feature_set(production.feature_set_id)
        mine, theirs = score_on_windows(
            loaded.bundle, theirs_fs, dataset, result.windows, result.rules, result.costs
        )
    except GalFridayError as exc:
        decision = evaluate_gates(result.windows, gates)
        reason = f"production model {production.model_id} could not be scored on these windows: {exc}"
        return replace(decision, passed=False, reasons=(*decision.reasons, reason))
    return evaluate_gates(mine, gates, production=theirs, production_id=production.model_id)

"""Demo step: train one model per pair through the ML pipeline, register it, promote what passes.

The same ``run_training`` as ``galfriday train``: features and cost-aware labels from the candle
file, walk-forward validation, acceptance gates, the registry (artefact + version row), the HTML
training report. A model that passes its gates is promoted to production (as ``galfriday train
--promote`` would); one that fails stays in development and its pair is not traded on a model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from galfriday.app.demo.market import PairData
from galfriday.backtest.progress import progress_bar
from galfriday.config import Settings
from galfriday.prediction.artifacts import ArtifactStore
from galfriday.prediction.backtest import CostModel
from galfriday.prediction.labels import LabelSpec
from galfriday.prediction.pipeline import TrainOutcome, TrainRequest, run_training
from galfriday.prediction.registry import ModelRegistry
from galfriday.storage.db.database import Database
from galfriday.storage.db.records_ml import ModelStage
from galfriday.storage.db.repositories.models import ModelRepository


@dataclass(frozen=True)
class Trained:
    pair: str
    outcome: TrainOutcome
    promoted: bool


async def train_models(
    settings: Settings, database: Database, data: list[PairData], reports: Path, console: Console
) -> list[Trained]:
    artifacts = ArtifactStore(settings.prediction.models_dir)
    registry = ModelRegistry(ModelRepository(database.sessions), artifacts)
    fee = float(settings.execution.taker_fee)
    out = []
    for item in data:
        request = TrainRequest(
            data=item.train,
            pair=item.pair,
            feature_set_id=settings.features.feature_set,
            label=LabelSpec(fee_rate=fee),
            costs=CostModel(fee_rate=fee),
            feature_registry=settings.features.registry_path,
            report_dir=reports / "models",
        )
        with progress_bar(console, f"training xgboost for {item.pair}", None) as update:
            outcome = await run_training(request, registry, progress=lambda _what, done, _total: update(done))
        promoted = outcome.decision.passed
        if promoted:
            version = await registry.promote(outcome.version.model_id, ModelStage.PRODUCTION)
            outcome = TrainOutcome(version, outcome.result, outcome.decision, outcome.report_path)
        out.append(Trained(item.pair, outcome, promoted))
    return out

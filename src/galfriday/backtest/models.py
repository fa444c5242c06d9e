"""The model strategy's prediction component: the registry's production models behind the
``PredictionService`` in inline mode (the only mode that is deterministic on a SyncBus).

Kept apart so the rule strategies never import the prediction stack (xgboost, scikit-learn).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from galfriday.backtest.errors import BacktestError
from galfriday.backtest.kernel import PredictorFactory
from galfriday.config import Settings
from galfriday.core.clock import Clock
from galfriday.features import FeatureSet, load_feature_set
from galfriday.storage.db.database import Database


async def registry_predictor(
    settings: Settings, database: Database, pairs: Sequence[str]
) -> tuple[PredictorFactory, FeatureSet]:
    """A factory building the ``PredictionService`` over the production models of ``pairs``."""
    from galfriday.prediction import ModelRegistry
    from galfriday.prediction.artifacts import ArtifactStore
    from galfriday.storage.db.repositories import ModelRepository

    feature_set = load_feature_set(settings.features)
    registry = ModelRegistry(
        ModelRepository(database.sessions), ArtifactStore(settings.prediction.models_dir)
    )
    versions = await registry.production(list(pairs))
    if not versions:
        raise BacktestError(
            f"no production model for {', '.join(pairs)} in the registry: train and promote one "
            "(`galfriday train`, `galfriday models promote`) or run a rule strategy (--strategy sma|rsi)"
        )
    return service_factory(settings, feature_set, registry.load, versions), feature_set


def service_factory(
    settings: Settings, feature_set: FeatureSet, load: Any, versions: Sequence[Any]
) -> PredictorFactory:
    """Build and start a ``PredictionService`` (inline) on the backtest's bus and clock."""
    from galfriday.prediction import PredictionService

    prediction = settings.prediction.model_copy(update={"inference_mode": "inline"})

    def build(bus: Any, clock: Clock) -> object:
        service = PredictionService.from_settings(
            bus, clock, prediction, feature_set, lambda v: load(v, feature_set)
        )
        service.start(versions)
        return service

    return build

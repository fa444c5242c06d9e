"""What the strategy trades on: a rule strategy, the models' predictions, or nothing — said loudly.

- ``--rule rsi|sma`` (``RunOptions.rule``): the rule strategy's opinions on closed bars;
- otherwise the ``PredictionService`` serving the registry's production models for the pairs, when
  ``galfriday.prediction`` is installed and such models exist;
- otherwise the ``PredictionSource`` alone: it only acts on predictions, and none will come, so the
  session runs, records and monitors but never enters — logged as a warning so nobody mistakes a
  quiet session for a cautious model.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from galfriday.app.runtime.options import Rule
from galfriday.config.schema import Settings
from galfriday.core.clock import Clock
from galfriday.features.spec import FeatureSet
from galfriday.storage.db.database import Database
from galfriday.strategy.intents import SignalSource
from galfriday.strategy.sources import PredictionSource, RsiRule, RsiThresholdSource, SmaCrossoverSource

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Signals:
    sources: list[SignalSource]
    description: str
    predictions: Any = None  # the started PredictionService, when models serve


async def choose_signals(
    settings: Settings,
    rule: Rule | None,
    database: Database,
    bus: Any,
    clock: Clock,
    feature_set: FeatureSet,
    submit: Any,
) -> Signals:
    if rule is not None:
        source: SignalSource = (
            RsiThresholdSource(rule) if isinstance(rule, RsiRule) else SmaCrossoverSource(rule)
        )
        description = f"rule strategy {source.name} {rule}"
        logger.warning("signals: %s (no model predictions are used)", description)
        return Signals([source], description)
    service, models = await _prediction_service(settings, database, bus, clock, feature_set, submit)
    if service is not None:
        description = f"model predictions from {', '.join(models)}"
        logger.info(
            "signals: %s (buy above %s, exit below %s)",
            description,
            settings.strategy.buy_threshold,
            settings.strategy.sell_threshold,
        )
        return Signals([PredictionSource(settings.strategy)], description, service)
    description = "predictions, but no production model serves the pairs: no entries will be made"
    logger.warning(
        "signals: %s. Promote a model (`galfriday models promote ...`) or trade a rule baseline with "
        "`galfriday run --rule rsi`",
        description,
    )
    return Signals([PredictionSource(settings.strategy)], description)


async def _prediction_service(
    settings: Settings, database: Database, bus: Any, clock: Clock, feature_set: FeatureSet, submit: Any
) -> tuple[Any, list[str]]:
    """The started service and its model ids, or (None, []) when there is nothing to serve."""
    try:
        from galfriday.prediction import ModelRegistry, PredictionService
        from galfriday.prediction.artifacts import ArtifactStore
        from galfriday.storage.db.repositories.models import ModelRepository
    except ImportError as exc:
        logger.warning("galfriday.prediction is not importable (%s): no model predictions", exc)
        return None, []
    registry = ModelRegistry(
        ModelRepository(database.sessions), ArtifactStore(settings.prediction.models_dir)
    )
    versions = await registry.production(list(settings.pairs))
    if not versions:
        return None, []
    service = PredictionService.from_settings(
        bus,
        clock,
        settings.prediction,
        feature_set,
        lambda version: registry.load(version, feature_set),
        submit=submit,
    )
    service.start(versions)
    served = [model for ids in service.models().values() for model in ids]
    if not served:
        service.stop()
        return None, []
    return service, served

"""The model of one walk-forward window: trained on the window's training candles only, then served
to the backtest of its test range the way live trading serves a registry model.

Training goes through the prediction pipeline's ``train`` (features, cost-aware labels, its own
walk-forward validation inside the training range, the final fit) on the candles opened in
``[train_start, train_end)``. Labels look ahead ``horizon`` bars, and they are computed on that slice
alone, so the last rows of the slice simply have no label: no price at or after ``train_end`` — let
alone in the test range — reaches the model. The bundle's ``trained_at`` is ``train_end``, so the
same window gives the same model bytes on every run.

The model is not registered (a study trains dozens); ``register_window_models`` records them in
the registry's *development* stage when asked, never where a live session would load them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from galfriday.backtest.kernel import PredictorFactory
from galfriday.backtest.models import service_factory
from galfriday.backtest.research.data import Market, bar_columns
from galfriday.backtest.research.windows import Window
from galfriday.config import Settings
from galfriday.features import FeatureSet, load_feature_set
from galfriday.prediction.backtest import CostModel, TradingRules
from galfriday.prediction.datasets import WalkForwardConfig, build_dataset
from galfriday.prediction.gates import GateConfig, evaluate_gates
from galfriday.prediction.labels import LabelKind, LabelSpec
from galfriday.prediction.loaded import LoadedModel
from galfriday.prediction.registry import ModelRegistry
from galfriday.prediction.training import TrainingConfig, TrainingResult, train

NS_PER_S = 1_000_000_000


@dataclass(frozen=True)
class ModelRecipe:
    """How every window's model is trained (``galfriday train``'s options)."""

    model_type: str = "xgboost"
    hyperparameters: Mapping[str, Any] = field(default_factory=dict)
    horizon: int = 12  # label horizon, bars
    label_kind: LabelKind = LabelKind.FORWARD
    margin: float = 0.001  # net gain a label needs beyond the round-trip fees
    validation_windows: int = 2  # the training's own walk-forward validation, inside the train range
    seed: int = 7


@dataclass(frozen=True)
class TrainedModel:
    model_id: str
    pair: str
    train_start_ns: int  # first candle's open time
    last_bar_close_ns: int  # close of the last candle it saw: at or before the window's train end
    data_end_ns: int  # close of the last bar with a training row (a label inside the training range)
    rows: int
    validation: dict[str, Any]  # the training's walk-forward means (AUC, precision, ...)
    artifact_sha256: str
    training: TrainingResult | None = field(default=None, repr=False)  # kept to register it


@dataclass(frozen=True)
class _Version:
    """What ``PredictionService.start`` needs to know of a model it is given."""

    model_id: str
    pair: str
    prediction_target: str
    critical: bool = True


def train_window_models(
    settings: Settings, market: Market, window: Window, recipe: ModelRecipe, *, keep: bool = False
) -> tuple[tuple[TrainedModel, ...], PredictorFactory, FeatureSet]:
    """One model per pair on the window's training candles, and the predictor serving them."""
    feature_set = load_feature_set(settings.features)
    strategy = settings.strategy
    fee = float(settings.execution.taker_fee)
    label = LabelSpec(
        recipe.label_kind,
        recipe.horizon,
        fee,
        recipe.margin,
        take_profit=float(strategy.tp_pct),
        stop_loss=float(strategy.sl_pct),
    )
    config = TrainingConfig(
        model_type=recipe.model_type,
        hyperparameters=dict(recipe.hyperparameters),
        walk_forward=WalkForwardConfig(windows=recipe.validation_windows),
        rules=_rules(settings, market.interval_s),
        costs=CostModel(fee_rate=fee),
        seed=recipe.seed,
    )
    trained, loaded = [], {}
    for pair in settings.pairs:
        bars = market.bars(pair, window.train_start_ns, window.train_end_ns)
        columns = bar_columns(bars)
        dataset = build_dataset(columns, feature_set, label, pair=pair, interval_s=market.interval_s)
        result = train(dataset, config, now_ns=lambda: window.train_end_ns)
        sha = hashlib.sha256(result.bundle.to_bytes()).hexdigest()
        model_id = f"wf{window.index:03d}-{recipe.model_type}-{''.join(c for c in pair if c.isalnum())}"
        loaded[model_id] = LoadedModel(
            model_id, pair, result.bundle, Path("walk-forward", model_id), sha, critical=True
        )
        trained.append(
            TrainedModel(
                model_id=model_id,
                pair=pair,
                train_start_ns=bars[0].open_time_ns,
                last_bar_close_ns=bars[-1].open_time_ns + market.interval_s * NS_PER_S,
                data_end_ns=result.data_end_ns,
                rows=result.training_rows,
                validation=dict(result.summary),
                artifact_sha256=sha,
                training=result if keep else None,
            )
        )
    versions = [_Version(m.model_id, m.pair, m.prediction_target) for m in loaded.values()]
    predictor = service_factory(settings, feature_set, lambda v, _fs: loaded[v.model_id], versions)
    return tuple(trained), predictor, feature_set


def _rules(settings: Settings, interval_s: int) -> TradingRules:
    """The training's mini-backtest trades by the configured strategy, not its defaults."""
    s = settings.strategy
    return TradingRules(
        buy_threshold=s.buy_threshold,
        sell_threshold=s.sell_threshold,
        stop_loss=float(s.sl_pct),
        take_profit=float(s.tp_pct),
        max_holding_bars=max(1, (s.max_holding_s or 3600) // interval_s),
        exit_on_reversal=s.exit_on_reversal,
    )


async def register_window_models(models: Sequence[TrainedModel], registry: ModelRegistry) -> list[str]:
    """Record each window's model in the registry's development stage; returns the registry's ids."""
    ids = []
    for model in models:
        if model.training is None:
            raise ValueError(f"{model.model_id} was not kept: run the walk-forward with keep_models=True")
        decision = evaluate_gates(model.training.windows, GateConfig())
        research = f"walk-forward research model {model.model_id}: kept in development"
        decision = replace(decision, passed=False, reasons=(*decision.reasons, research))
        version = await registry.register(model.training, decision)
        ids.append(version.model_id)
    return ids

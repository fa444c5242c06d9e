"""The model strategy: FeatureEngine -> PredictionService (inline) -> PredictionSource, in a backtest.

The model is deliberately simple and deterministic — P(up) = 1 − RSI(14)/100 from the ``bars_v1``
feature vector — so the test is about the wiring, not about a model: features are computed by the
streaming FeatureEngine at each bar close, the PredictionService (inline: the only deterministic
mode on a SyncBus) turns each complete vector into a ``PredictionMade``, and the strategy trades on
the configured thresholds (buy above 0.65, exit below 0.35). Real XRP 5-minute candles.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from galfriday.backtest import BacktestEngine, BacktestResult, DataKind, Feed, StrategyKind, StrategySpec
from galfriday.backtest.instruments import backtest_instruments
from galfriday.backtest.models import service_factory
from galfriday.config import Settings
from galfriday.core.events import BarClosed, SignalProposed
from galfriday.features import FeatureSet, load_feature_set
from galfriday.prediction.bundle import ModelBundle
from galfriday.prediction.drift import DriftReference
from galfriday.prediction.labels import LabelSpec
from galfriday.prediction.loaded import LoadedModel
from galfriday.prediction.preprocess import scale_free
from tests.acceptance._backtest_kit import key, xrp_5m_bars

SETTINGS = Settings.model_validate(
    {
        "pairs": ["XRP/USD"],
        "features": {"feature_set": "bars_v1"},
        "strategy": {"entry_order_type": "MARKET", "sl_pct": "0.01", "tp_pct": "0.02", "max_holding_s": 7200},
        "risk": {"loss_streak_halt": 1000, "loss_streak_warn": 999, "volatility_halt": {"enabled": False}},
        "backtest": {"fill_model": "bar", "latency_ms": 0},
    }
)


class RsiEstimator:
    """P(up) = 1 - RSI/100: oversold reads bullish, overbought bearish."""

    kind = "rsi-rule"
    sequence_length = 1

    def __init__(self, rsi_index: int) -> None:
        self.rsi_index = rsi_index

    def fit(self, windows: np.ndarray, labels: np.ndarray) -> None:
        return None

    def predict_proba(self, windows: np.ndarray) -> np.ndarray:
        return 1.0 - windows[:, -1, self.rsi_index] / 100.0

    def hyperparameters(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class Version:
    """What the service needs of a registry entry."""

    model_id: str = "rsi-rule-XRPUSD"
    pair: str = "XRP/USD"
    critical: bool = True


def _model(feature_set: FeatureSet) -> LoadedModel:
    reference = DriftReference.build(
        feature_set.names,
        np.zeros((10, len(feature_set.names))),
        np.full(10, 0.5),
        accuracy=None,
        auc=None,
        threshold=0.65,
    )
    bundle = ModelBundle(
        model_type="rsi-rule",
        pair="XRP/USD",
        label=LabelSpec(),
        feature_set_id=feature_set.id,
        feature_fingerprint=feature_set.fingerprint,
        feature_names=feature_set.names,
        preprocessor=scale_free(feature_set),
        estimator=RsiEstimator(feature_set.names.index("rsi_14")),
        reference=reference,
        trained_at_ns=0,
    )
    return LoadedModel(Version.model_id, "XRP/USD", bundle, Path("unused"), "0" * 64)


def _run(bars: list[BarClosed]) -> BacktestResult:
    feature_set = load_feature_set(SETTINGS.features)
    model = _model(feature_set)
    predictor = service_factory(SETTINGS, feature_set, lambda version, fs: model, [Version()])
    instruments = backtest_instruments(SETTINGS, SETTINGS.pairs)
    engine = BacktestEngine(
        SETTINGS, instruments, StrategySpec(StrategyKind.MODEL), feature_set=feature_set, predictor=predictor
    )
    return engine.run(Feed((bars,), DataKind.BARS, 300))


def test_a_model_backtest_trades_on_streamed_features_and_predictions(shared_data: Path) -> None:
    bars = xrp_5m_bars(shared_data, SETTINGS)
    result = _run(bars)
    signals = [e for e in result.kernel_log if isinstance(e, SignalProposed)]
    assert len(result.trades) >= 5 and not result.failures
    assert all(s.prediction_value is not None and s.prediction_value > 0.65 for s in signals)
    assert all(s.strategy_id == "default" and s.prediction_event_id for s in signals)
    assert "REVERSAL" in Counter(t.exit_reason for t in result.trades)  # P(up) fell below 0.35
    assert _run(bars).fingerprint == result.fingerprint  # inline inference is deterministic

    # and no look-ahead through features or predictions: a different future after bar 1000
    t = bars[1000].ts_event
    future = [msgspec.structs.replace(b, close=b.open) if b.open_time_ns >= t else b for b in bars]
    rewritten = _run(future)
    decisions = [
        [key(e) for e in (*r.kernel_log, *r.venue_log) if e.ts_event <= t] for r in (result, rewritten)
    ]
    assert decisions[0] == decisions[1] and rewritten.fingerprint != result.fingerprint

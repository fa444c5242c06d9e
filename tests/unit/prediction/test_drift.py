"""Drift: PSI and KS against known distributions, levels, decay, and the bus watcher's alerts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import AlertRaised, BarClosed, FeatureVectorComputed, PredictionMade
from galfriday.core.types import AlertSeverity
from galfriday.prediction.drift import (
    DriftLevel,
    DriftMonitor,
    DriftReference,
    DriftThresholds,
    bin_shares,
    psi,
)
from galfriday.prediction.drift_watch import DriftWatcher
from galfriday.prediction.labels import LabelSpec
from tests.unit.prediction import stubs

RNG = np.random.default_rng(11)
TRAIN = RNG.normal(0, 1, size=(5000, 2))


def reference(accuracy: float | None = 0.7) -> DriftReference:
    return DriftReference.build(
        ("a", "b"), TRAIN, RNG.uniform(0, 1, 5000), accuracy=accuracy, auc=0.7, threshold=0.5
    )


def monitor(**kwargs) -> DriftMonitor:
    return DriftMonitor(reference(), DriftThresholds(), window=2000, min_samples=100, **kwargs)


def test_psi_of_known_distributions() -> None:
    assert psi([0.5, 0.5], [0.5, 0.5]) == 0.0
    # hand computed: (0.7-0.5)·ln(0.7/0.5) + (0.3-0.5)·ln(0.3/0.5) = 0.1689…
    assert psi([0.5, 0.5], [0.7, 0.3]) == pytest.approx(0.2 * np.log(1.4) - 0.2 * np.log(0.6))
    edges = np.array([0.0])
    assert bin_shares(np.array([-1.0, 1.0, 2.0, np.nan]), edges).tolist() == pytest.approx([1 / 3, 2 / 3])


def test_identical_data_shows_no_drift_and_a_shift_shows_a_lot() -> None:
    same = monitor()
    for row in RNG.normal(0, 1, size=(2000, 2)):
        same.observe_features(row)
    report = same.check()
    assert report.level is DriftLevel.OK and report.reasons == ()
    assert max(report.feature_psi.values()) < 0.02
    assert min(p for _, p in report.feature_ks.values()) > 0.01

    shifted = monitor()
    for row in RNG.normal(0, 1, size=(2000, 2)) + np.array([0.0, 0.8]):
        shifted.observe_features(row)
    report = shifted.check()
    assert report.feature_psi["a"] < 0.1 < 0.2 < report.feature_psi["b"]
    statistic, p_value = report.feature_ks["b"]
    assert statistic > 0.2 and p_value < 1e-10
    assert report.level is DriftLevel.RETRAIN and report.reasons[0].startswith("feature b: PSI")


def test_levels_follow_the_psi_thresholds() -> None:
    t = DriftThresholds()
    assert [t.level_of_psi(v) for v in (0.05, 0.12, 0.17, 0.25)] == [
        DriftLevel.OK,
        DriftLevel.WARN,
        DriftLevel.ALERT,
        DriftLevel.RETRAIN,
    ]


def test_prediction_drift_and_performance_decay() -> None:
    m = monitor()
    for p in RNG.uniform(0.8, 1.0, 500):  # the model suddenly says "up" all the time
        m.observe_prediction(p)
    for _ in range(200):
        m.observe_outcome(0.9, 0)  # and is wrong: accuracy 0 vs 0.7 in validation
    report = m.check()
    assert report.prediction_psi > 1.0
    assert report.live_accuracy == 0.0 and report.accuracy_decay == pytest.approx(0.7)
    assert report.level is DriftLevel.RETRAIN and any("below validation" in r for r in report.reasons)


def test_too_few_samples_decide_nothing() -> None:
    m = monitor()
    for row in RNG.normal(5, 1, size=(50, 2)):
        m.observe_features(row)
    assert m.check().level is DriftLevel.OK and m.check().feature_psi == {}


def bar(i: int, close: float) -> BarClosed:
    price = Decimal(str(close))
    return BarClosed(
        ts_event=(i + 1) * 300,
        ts_init=(i + 1) * 300,
        pair="XRP/USD",
        interval_s=300,
        open_time_ns=i * 300,
        open=price,
        high=price,
        low=price,
        close=price,
        volume=Decimal(1),
        vwap=price,
        trade_count=1,
    )


def test_the_watcher_alerts_with_details_and_asks_for_retraining(tmp_path: Path) -> None:
    fs = stubs.bars_v1()
    model = stubs.loaded(
        "m1", stubs.bundle(stubs.ConstantEstimator(0.9), label=LabelSpec(horizon=2)), tmp_path
    )
    bus = SyncBus()
    alerts: list[AlertRaised] = []
    bus.subscribe(AlertRaised, alerts.append)
    retrain: list[str] = []
    watcher = DriftWatcher(
        bus, SimClock(0), model, min_samples=20, check_every=10, on_retrain=lambda mid, _: retrain.append(mid)
    )
    watcher.start()
    for i in range(60):
        close = 100.0 - i * 0.1  # falling: every "up" prediction turns out wrong
        bus.publish(bar(i, close))
        values = tuple([50.0] * len(fs.names))  # nothing like the N(0, 1) reference
        bus.publish(
            FeatureVectorComputed(
                ts_event=(i + 1) * 300,
                ts_init=0,
                pair="XRP/USD",
                feature_set_id="bars_v1",
                names=fs.names,
                values=values,
            )
        )
        bus.publish(
            PredictionMade(
                ts_event=(i + 1) * 300,
                ts_init=0,
                pair="XRP/USD",
                model_id="m1",
                prediction_target="t",
                p_up=0.9,
            )
        )
    assert [a.severity for a in alerts] == [
        AlertSeverity.CRITICAL
    ]  # one alert for the rise, not one per check
    assert "drift (retrain) on model m1" in alerts[0].title and "PSI" in alerts[0].message
    assert retrain == ["m1"]
    metrics = watcher.metrics()
    assert (
        metrics["level"] == "retrain" and metrics["samples"]["outcomes"] == 58
    )  # the last 2 await their label
    assert metrics["live_accuracy"] == 0.0

"""PredictionService: vectors in, predictions out; contracts, failures, ensembles, hot swap."""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import AlertRaised, FeatureVectorComputed, PredictionMade
from galfriday.core.types import AlertSeverity
from galfriday.prediction.errors import ArtifactIntegrityError, ModelLoadError, PredictionError
from galfriday.prediction.experiments import Experiment, ExperimentConfig
from galfriday.prediction.labels import LabelSpec
from galfriday.prediction.loaded import LoadedModel
from galfriday.prediction.service import PredictionService
from galfriday.storage.timeseries.point import Point
from tests.unit.prediction import stubs

FS = stubs.bars_v1()
PAIR = "XRP/USD"


def vector(
    ts: int = 1, *, pair: str = PAIR, names: tuple[str, ...] = FS.names, values: Any = None
) -> FeatureVectorComputed:
    return FeatureVectorComputed(
        ts_event=ts,
        ts_init=ts,
        correlation_id=f"bar-{ts}",
        pair=pair,
        feature_set_id="bars_v1",
        names=names,
        values=tuple(values if values is not None else [1.0] * len(names)),
    )


def collect(bus: Any, kind: type) -> list[Any]:
    out: list[Any] = []
    bus.subscribe(kind, out.append)
    return out


def model(tmp_path: Path, model_id: str, estimator: Any, **kwargs: Any) -> LoadedModel:
    label = kwargs.pop("label", None)
    return stubs.loaded(model_id, stubs.bundle(estimator, label=label), tmp_path, **kwargs)


def service(bus: Any, models: list[LoadedModel], **kwargs: Any) -> PredictionService:
    svc = PredictionService(
        bus, SimClock(0), FS, lambda m: m, inference_mode=kwargs.pop("mode", "inline"), **kwargs
    )
    svc.start(models)
    return svc


def test_a_vector_becomes_a_prediction_with_the_model_id(tmp_path: Path) -> None:
    bus = SyncBus()
    out = collect(bus, PredictionMade)
    points: list[Point] = []
    m = model(tmp_path, "xgb-1", stubs.ConstantEstimator(0.8))
    svc = service(bus, [m], submit=points.append)
    bus.publish(vector(42))
    [made] = out
    assert (made.model_id, made.pair, made.p_up, made.member_model_ids) == ("xgb-1", PAIR, 0.8, ("xgb-1",))
    assert made.confidence == pytest.approx(0.6) and made.prediction_target == LabelSpec().target
    assert (made.ts_event, made.correlation_id, made.feature_set_id) == (42, "bar-42", "bars_v1")
    [point] = points
    assert point.measurement == "predictions" and point.tags["model_id"] == "xgb-1"
    assert point.fields == {"prediction_value": 0.8, "confidence": pytest.approx(0.6)}
    assert svc.stats["published"] == 1 and svc.models() == {PAIR: ("xgb-1",)}


def test_vectors_of_other_features_make_no_prediction_and_one_alert(tmp_path: Path) -> None:
    bus = SyncBus()
    out, alerts = collect(bus, PredictionMade), collect(bus, AlertRaised)
    svc = service(bus, [model(tmp_path, "m", stubs.ConstantEstimator(0.8))])
    reordered = (FS.names[1], FS.names[0], *FS.names[2:])
    bus.publish(vector(1, names=reordered))
    bus.publish(vector(2, names=reordered))
    bus.publish(vector(3, pair="DOGE/USD"))
    assert out == [] and svc.stats["feature_mismatch"] == 2 and svc.stats["no_model"] == 1
    [alert] = alerts
    assert alert.severity is AlertSeverity.CRITICAL and "do not match model m" in alert.message


def test_too_many_missing_values_make_no_prediction(tmp_path: Path) -> None:
    bus = SyncBus()
    out = collect(bus, PredictionMade)
    n = len(FS.names)
    svc = service(bus, [model(tmp_path, "m", stubs.ConstantEstimator(0.8))], max_nan_share=0.1)
    bus.publish(vector(1, values=[None, math.nan] + [1.0] * (n - 2)))  # 2/14 > 0.1 (None = NaN after JSON)
    assert out == [] and svc.stats["too_many_missing"] == 1
    bus.publish(vector(2, values=[None] + [1.0] * (n - 1)))  # 1/14 <= 0.1
    assert len(out) == 1


def test_a_failing_model_alerts_once_and_never_crashes_the_bus(tmp_path: Path) -> None:
    bus = SyncBus()
    out, alerts = collect(bus, PredictionMade), collect(bus, AlertRaised)
    svc = service(bus, [model(tmp_path, "boom", stubs.FailingEstimator())])
    bus.publish(vector(1))
    bus.publish(vector(2))
    assert out == [] and svc.stats["model_failures"] == 2 and svc.stats["no_prediction"] == 2
    [alert] = alerts
    assert alert.severity is AlertSeverity.CRITICAL and "model exploded" in alert.message
    assert all(s["errors"] == 0 for s in bus.stats())


def test_ensembles_combine_members_and_apply_the_confidence_floor(tmp_path: Path) -> None:
    a = model(tmp_path, "a", stubs.ConstantEstimator(0.9), weight=0.3)
    b = model(tmp_path, "b", stubs.ConstantEstimator(0.4), weight=0.1, label=LabelSpec(horizon=6))
    expected = {"average": 0.65, "weighted": (0.9 * 0.3 + 0.4 * 0.1) / 0.4, "vote": 0.5}
    for method, p_up in expected.items():
        bus = SyncBus()
        out = collect(bus, PredictionMade)
        service(bus, [a, b], ensemble_method=method)
        bus.publish(vector(1))
        [made] = out
        assert made.p_up == pytest.approx(p_up)
        assert made.member_model_ids == ("a", "b") and made.model_id == f"ensemble-{method}-XRPUSD"
        assert made.prediction_target == "ensemble"
    bus = SyncBus()
    out = collect(bus, PredictionMade)
    svc = service(bus, [a, b], ensemble_method="vote", confidence_floor=0.1)
    bus.publish(vector(1))
    assert out == [] and svc.stats["below_confidence_floor"] == 1


def test_a_sequence_model_waits_for_its_window(tmp_path: Path) -> None:
    bus = SyncBus()
    out = collect(bus, PredictionMade)
    svc = service(bus, [model(tmp_path, "lstm", stubs.ConstantEstimator(0.7, sequence_length=3))])
    for ts in range(1, 5):
        bus.publish(vector(ts))
    assert [p.ts_event for p in out] == [3, 4] and svc.stats["warming_up"] == 2


def test_start_stops_on_a_critical_model_and_skips_others(tmp_path: Path) -> None:
    good = model(tmp_path, "good", stubs.ConstantEstimator(0.7))

    class Version:
        def __init__(self, model_id: str, critical: bool) -> None:
            self.model_id, self.pair, self.critical = model_id, PAIR, critical

    def loader(version: Version) -> LoadedModel:
        if version.model_id == "good":
            return good
        raise ArtifactIntegrityError("model artefact x has SHA-256 aaaa… but the registry recorded bbbb…")

    bus = SyncBus()
    alerts = collect(bus, AlertRaised)
    svc = PredictionService(bus, SimClock(0), FS, loader, inference_mode="inline")
    svc.start([Version("good", False), Version("broken", False)])
    assert svc.models() == {PAIR: ("good",)}
    [alert] = alerts
    assert (
        alert.severity is AlertSeverity.WARNING and "broken" in alert.message and "SHA-256" in alert.message
    )
    with pytest.raises(ModelLoadError, match=r"critical production model broken .* failed to load.*rollback"):
        PredictionService(bus, SimClock(0), FS, loader, inference_mode="inline").start(
            [Version("broken", True)]
        )


def test_the_sync_bus_only_runs_inline() -> None:
    with pytest.raises(PredictionError, match="inline for backtests"):
        PredictionService(SyncBus(), SimClock(0), FS, lambda m: m, inference_mode="process")


class ThreadSafeBus:
    """Records what is published from any thread (stands in for the loop-bound AsyncBus)."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self._lock = threading.Lock()
        self.handlers: dict[type, Any] = {}

    def subscribe(self, kind: type, handler: Any, **_: Any) -> Any:
        self.handlers[kind] = handler
        return kind

    def unsubscribe(self, sub: Any) -> None:
        self.handlers.pop(sub, None)

    def publish(self, event: Any) -> None:
        with self._lock:
            self.events.append(event)


def test_hot_swap_under_concurrent_predictions(tmp_path: Path) -> None:
    """Requests in flight finish on the old model; every later vector uses the new one."""
    old = model(tmp_path, "old", stubs.ConstantEstimator(0.2, delay_s=0.05))
    new = model(tmp_path, "new", stubs.ConstantEstimator(0.9, delay_s=0.05))
    bus = ThreadSafeBus()
    svc = service(bus, [old], mode="thread", workers=4)
    for ts in range(1, 9):
        svc.on_features(vector(ts))
    in_flight = 8 - len(bus.events)
    svc.swap(new)
    assert in_flight >= 4  # the swap really happened while old requests were running or queued
    for ts in range(9, 17):
        svc.on_features(vector(ts))
    deadline = time.monotonic() + 10
    while len(bus.events) < 16 and time.monotonic() < deadline:
        time.sleep(0.01)
    svc.stop()
    made = sorted((e for e in bus.events if isinstance(e, PredictionMade)), key=lambda e: e.ts_event)
    assert len(made) == 16
    assert {(e.model_id, e.p_up) for e in made if e.ts_event <= 8} == {("old", 0.2)}
    assert {(e.model_id, e.p_up) for e in made if e.ts_event > 8} == {("new", 0.9)}
    assert svc.models() == {PAIR: ("new",)}


def test_an_experiment_routes_bars_between_control_and_treatment(tmp_path: Path) -> None:
    bus = SyncBus()
    out = collect(bus, PredictionMade)
    control = model(tmp_path, "control", stubs.ConstantEstimator(0.3))
    treatment = model(tmp_path, "treatment", stubs.ConstantEstimator(0.7))
    svc = service(bus, [control])
    experiment = Experiment(ExperimentConfig("ab-1", "control", "treatment", allocation="hash"), 0)
    svc.start_experiment(experiment, treatment)
    for ts in range(1, 201):
        bus.publish(vector(ts))
    by_model = {m: [p.ts_event for p in out if p.model_id == m] for m in ("control", "treatment")}
    assert 70 < len(by_model["treatment"]) < 130 and len(by_model["control"]) == 200 - len(
        by_model["treatment"]
    )
    for ts in by_model["treatment"]:
        assert experiment.assign(PAIR, ts).value == "treatment"
    svc.stop_experiment("ab-1")
    bus.publish(vector(500))
    assert out[-1].model_id == "control"
    assert np.isfinite([p.p_up for p in out]).all()


def test_refresh_follows_the_registry_and_keeps_a_working_model(tmp_path: Path) -> None:
    models = {
        "a": model(tmp_path, "a", stubs.ConstantEstimator(0.6)),
        "b": model(tmp_path, "b", stubs.ConstantEstimator(0.7)),
    }

    class Version:
        def __init__(self, model_id: str) -> None:
            self.model_id, self.pair, self.critical = model_id, PAIR, False
            self.prediction_target = LabelSpec().target

    def loader(version: Version) -> LoadedModel:
        if version.model_id not in models:
            raise ArtifactIntegrityError(f"model artefact of {version.model_id} cannot be read")
        return models[version.model_id]

    bus = SyncBus()
    alerts = collect(bus, AlertRaised)
    svc = PredictionService(bus, SimClock(0), FS, loader, inference_mode="inline")
    svc.start([Version("a")])
    svc.refresh([Version("b")])  # promoted: b replaces a
    assert svc.models() == {PAIR: ("b",)}
    svc.refresh([Version("broken")])  # promoted, but its artefact is bad: b keeps serving
    assert svc.models() == {PAIR: ("b",)} and "keeps its current model" in alerts[-1].message
    svc.refresh([])  # archived without a replacement
    assert svc.models() == {}


def test_a_prediction_ready_too_late_is_dropped_not_traded_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Inference that finishes after ``max_delay_s`` of session time would act on a bar long gone."""
    clock = SimClock(0)
    bus = ThreadSafeBus()
    slow = model(tmp_path, "slow", stubs.ConstantEstimator(0.9, delay_s=0.3))
    svc = PredictionService(bus, clock, FS, lambda m: m, inference_mode="thread", workers=1, max_delay_s=5)
    svc.start([slow])
    svc.on_features(vector(0))  # computed at t=0
    clock.advance_to(6_000_000_000)  # the session moves 6 s on while the model is still busy
    svc.on_features(vector(6_000_000_000))  # queued behind it, but only 0.3 s of wall time late
    deadline = time.monotonic() + 10
    while svc.stats["late"] + svc.stats["published"] < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    svc.stop()
    made = [e for e in bus.events if isinstance(e, PredictionMade)]
    assert [e.ts_event for e in made] == [6_000_000_000]
    assert svc.stats["late"] == 1
    assert "prediction for XRP/USD dropped: ready 6.0 s after its features" in caplog.text


def test_requests_still_queued_at_stop_are_dropped_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bus = ThreadSafeBus()
    slow = model(tmp_path, "slow", stubs.ConstantEstimator(0.9, delay_s=0.2))
    svc = service(bus, [slow], mode="thread", workers=1)
    for ts in range(1, 5):
        svc.on_features(vector(ts))
    svc.stop()  # the running request finishes; the three queued behind it are canceled
    assert len([e for e in bus.events if isinstance(e, PredictionMade)]) == 1
    assert svc.stats["canceled"] == 3
    assert "Traceback" not in caplog.text and "CancelledError" not in caplog.text

"""``DriftWatcher``: feeds a model's ``DriftMonitor`` from the bus and raises drift alerts.

It sees what the model sees (the pair's feature vectors, made scale-free the model's way), what it
said (its ``PredictionMade``, alone or as an ensemble member), and — ``horizon`` bars later — what
happened: the realised label of each prediction, computed from the ``BarClosed`` events with the
model's own label definition. Every ``check_every`` observations it checks; when the level rises
it logs (warn), publishes ``AlertRaised`` with the details (alert: WARNING, retrain: CRITICAL), and
at the retrain level calls ``on_retrain`` once, until the level falls back. ``metrics()`` returns the
latest report for dashboards and Prometheus collectors.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from galfriday.core.clock import Clock
from galfriday.core.events import AlertRaised, BarClosed, FeatureVectorComputed, PredictionMade
from galfriday.core.types import AlertSeverity
from galfriday.prediction.drift import (
    DEFAULT_THRESHOLDS,
    DriftLevel,
    DriftMonitor,
    DriftReport,
    DriftThresholds,
)
from galfriday.prediction.labels import make_labels
from galfriday.prediction.loaded import LoadedModel

logger = logging.getLogger(__name__)
SOURCE = "prediction.drift"


class DriftWatcher:
    def __init__(
        self,
        bus: Any,
        clock: Clock,
        model: LoadedModel,
        *,
        thresholds: DriftThresholds = DEFAULT_THRESHOLDS,
        window: int = 500,
        min_samples: int = 100,
        check_every: int = 50,
        on_retrain: Callable[[str, DriftReport], None] | None = None,
    ) -> None:
        self.model = model
        self.monitor = DriftMonitor(
            model.bundle.reference, thresholds, window=window, min_samples=min_samples
        )
        self._bus = bus
        self._clock = clock
        self._check_every = check_every
        self._on_retrain = on_retrain
        self._horizon = model.bundle.label.horizon
        self._bars: deque[BarClosed] = deque(maxlen=self._horizon + window)
        self._open: deque[tuple[int, float]] = deque()  # (bar close ns, P(up)) awaiting their label
        self._observed = 0
        self._level = DriftLevel.OK
        self._report: DriftReport | None = None
        self._subscriptions: list[Any] = []

    def start(self) -> None:
        if self._subscriptions:
            return
        sub = self._bus.subscribe
        self._subscriptions = [
            sub(FeatureVectorComputed, self.on_features, name="DriftWatcher.on_features"),
            sub(PredictionMade, self.on_prediction, name="DriftWatcher.on_prediction"),
            sub(BarClosed, self.on_bar, name="DriftWatcher.on_bar"),
        ]

    def stop(self) -> None:
        for subscription in self._subscriptions:
            self._bus.unsubscribe(subscription)
        self._subscriptions = []

    def metrics(self) -> dict[str, Any]:
        """The latest drift report (empty before the first check)."""
        return {} if self._report is None else self._report.to_dict() | {"model_id": self.model.model_id}

    def on_features(self, event: FeatureVectorComputed) -> None:
        if event.pair != self.model.pair or event.names != self.model.feature_names:
            return
        raw = np.array([np.nan if v is None else v for v in event.values], dtype=np.float64)
        self.monitor.observe_features(self.model.bundle.inputs(raw[None, :])[0])
        self._tick()

    def on_prediction(self, event: PredictionMade) -> None:
        mine = self.model.model_id
        if event.pair != self.model.pair or mine not in (event.model_id, *event.member_model_ids):
            return
        self.monitor.observe_prediction(event.p_up)
        self._open.append((event.ts_event, event.p_up))
        self._tick()

    def on_bar(self, bar: BarClosed) -> None:
        if bar.pair != self.model.pair:
            return
        self._bars.append(bar)
        closes = [b.ts_event for b in self._bars]
        while self._open:
            ts, p_up = self._open[0]
            if ts < closes[0]:
                self._open.popleft()  # its bar is gone (or never came): no label
                continue
            if ts not in closes:
                break
            start = closes.index(ts)
            if len(closes) - start <= self._horizon:
                break
            window = list(self._bars)[start : start + self._horizon + 1]
            o, h, lo, c = (
                np.array([float(getattr(b, k)) for b in window]) for k in ("open", "high", "low", "close")
            )
            label = make_labels(o, h, lo, c, self.model.bundle.label)[0]
            self.monitor.observe_outcome(p_up, int(label))
            self._open.popleft()

    def _tick(self) -> None:
        self._observed += 1
        if self._observed % self._check_every == 0:
            self.check()

    def check(self) -> DriftReport:
        """Check now; alert and call back when the level rose since the last check."""
        report = self.monitor.check()
        self._report = report
        previous, self._level = self._level, report.level
        if report.level <= previous:
            return report
        details = "; ".join(report.reasons)
        if report.level is DriftLevel.WARN:
            logger.warning("drift of model %s: %s", self.model.model_id, details)
            return report
        severity = AlertSeverity.CRITICAL if report.level is DriftLevel.RETRAIN else AlertSeverity.WARNING
        now = self._clock.timestamp_ns()
        self._bus.publish(
            AlertRaised(
                ts_event=now,
                ts_init=now,
                severity=severity,
                title=f"drift ({report.level.name.lower()}) on model {self.model.model_id}",
                message=f"{self.model.pair}: {details}",
                source=SOURCE,
            )
        )
        if report.level is DriftLevel.RETRAIN and self._on_retrain is not None:
            self._on_retrain(self.model.model_id, report)
        return report

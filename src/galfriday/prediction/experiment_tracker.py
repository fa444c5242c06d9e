"""``ExperimentTracker``: attributes closed trades to experiment arms and stops the experiment.

A prediction's correlation id travels with the signal, the orders and the closed trade (DESIGN
§1.2; the strategy uses the prediction's correlation id, or its event id when it has none). The
tracker remembers which arm made each prediction under that key, and when a ``TradeClosed`` arrives
with it, records the trade's net P&L for that arm, re-evaluates, saves the state through ``save``
(e.g. a write-behind to ``ExperimentRepository.save``) and, on a stop, calls ``on_stop`` — which the
application wires to ``PredictionService.stop_experiment``. Time limits are checked on every
prediction too, so an experiment without trades still ends.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from galfriday.core.clock import Clock
from galfriday.core.events import PredictionMade, TradeClosed
from galfriday.prediction.experiments import Arm, Decision, Experiment
from galfriday.storage.db.records_ml import ExperimentRecord

logger = logging.getLogger(__name__)
MAX_OPEN_PREDICTIONS = 100_000  # predictions remembered while waiting for their trade


class ExperimentTracker:
    def __init__(
        self,
        bus: Any,
        clock: Clock,
        experiment: Experiment,
        *,
        save: Callable[[ExperimentRecord], object] | None = None,
        on_stop: Callable[[Experiment, Decision], None] | None = None,
    ) -> None:
        self.experiment = experiment
        self._bus = bus
        self._clock = clock
        self._save = save
        self._on_stop = on_stop
        self._arms: OrderedDict[str, Arm] = OrderedDict()
        self._subscriptions: list[Any] = []
        self._started_at = _utc(experiment.started_at_ns)

    def start(self) -> None:
        if self._subscriptions:
            return
        self._subscriptions = [
            self._bus.subscribe(PredictionMade, self.on_prediction, name="ExperimentTracker.on_prediction"),
            self._bus.subscribe(TradeClosed, self.on_trade, name="ExperimentTracker.on_trade"),
        ]
        self._persist(self.experiment.evaluate(self._clock.timestamp_ns()))

    def stop(self) -> None:
        for sub in self._subscriptions:
            self._bus.unsubscribe(sub)
        self._subscriptions = []

    def on_prediction(self, event: PredictionMade) -> None:
        cfg = self.experiment.config
        if event.model_id == cfg.treatment_model_id:
            arm = Arm.TREATMENT
        elif cfg.control_model_id in (event.model_id, *event.member_model_ids):
            arm = Arm.CONTROL
        else:
            return
        self._arms[event.correlation_id or event.event_id] = arm
        while len(self._arms) > MAX_OPEN_PREDICTIONS:
            self._arms.popitem(last=False)
        self._decide(persist_always=False)

    def on_trade(self, event: TradeClosed) -> None:
        arm = self._arms.pop(event.correlation_id, None)
        if arm is None:
            return
        self.experiment.record(arm, event.realized_pnl_pct)
        self._decide(persist_always=True)

    def _decide(self, *, persist_always: bool) -> None:
        decision = self.experiment.evaluate(self._clock.timestamp_ns())
        if persist_always or decision.stop:
            self._persist(decision)
        if decision.stop:
            logger.info("experiment %s stopped: %s", self.experiment.config.experiment_id, decision.reason)
            self.stop()
            if self._on_stop is not None:
                self._on_stop(self.experiment, decision)

    def _persist(self, decision: Decision) -> None:
        if self._save is not None:
            now = _utc(self._clock.timestamp_ns())
            self._save(self.experiment.to_record(decision, started_at=self._started_at, now=now))


def _utc(ts_ns: int) -> datetime:
    return datetime.fromtimestamp(ts_ns / 1e9, tz=UTC)

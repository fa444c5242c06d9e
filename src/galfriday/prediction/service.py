"""``PredictionService``: feature vectors in, one ``PredictionMade`` per pair and bar out.

Start-up loads the production models (``start(versions)``): a model marked *critical* that fails to
load stops start-up with ``ModelLoadError``; any other is skipped with an ``AlertRaised``. Then, for
each ``FeatureVectorComputed``:

1. the vector's feature names and order must be the model's, and its share of missing values at
   most ``max_nan_share`` — otherwise no prediction (counted in ``stats``);
2. each model of the pair gets its window of recent vectors (one for tree models, the last
   ``sequence_length`` for an LSTM), submitted to the inference runner (inline, thread or process
   pool). The handler returns at once; the result is published when it is ready, on the event loop
   that delivered the vector (so the ``AsyncBus`` is only touched from its own thread);
3. the members' P(up) are combined (``combine``: average, weighted or vote), predictions below the
   confidence floor are dropped, and ``PredictionMade`` is published with the model id(s); each
   member's prediction is handed to ``submit`` as a point of the ``predictions`` measurement.

A backtest over bars may hand the service every vector a pair will receive up front
(``precompute``): each member's predictions are then made in one batch (``prediction.batch``, only
where that gives the very same numbers) and each vector is answered from them when it arrives —
same checks, same events, same moments.

A model that raises (or returns a non-finite number) yields no prediction and an ``AlertRaised``
— once per failure streak — and never an exception on the bus. ``swap`` replaces the model of a
(pair, target) atomically: requests already submitted finish on the model they were given, the
next vector uses the new one. An active A/B experiment (``start_experiment``) routes each bar of
its pair to the control (the production models) or the treatment model.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any, Protocol

import numpy as np

from galfriday.config.sections.signal import PredictionSettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import Clock
from galfriday.core.errors import StorageError
from galfriday.core.events import AlertRaised, FeatureVectorComputed, PredictionMade
from galfriday.core.types import AlertSeverity
from galfriday.features.spec import FeatureSet
from galfriday.prediction.batch import BatchPredictions, missing_shares, predict_rows
from galfriday.prediction.combine import EnsembleMethod, combine
from galfriday.prediction.errors import FeatureContractError, ModelLoadError, PredictionError
from galfriday.prediction.experiments import Arm, Experiment
from galfriday.prediction.inference import InferenceMode, InferenceRunner, make_runner
from galfriday.prediction.loaded import LoadedModel
from galfriday.storage.timeseries.point import Point

logger = logging.getLogger(__name__)
SOURCE = "prediction"


class ModelVersion(Protocol):
    """What start-up needs to know of a registry entry before loading it."""

    model_id: str
    pair: str
    prediction_target: str
    critical: bool


WARM_UP_TIMEOUT_S = 60.0  # starting the inference workers and loading their models
Pending = list[tuple[LoadedModel, Future[np.ndarray]]]


class PredictionService:
    def __init__(
        self,
        bus: Any,
        clock: Clock,
        feature_set: FeatureSet,
        loader: Callable[[Any], LoadedModel],
        *,
        inference_mode: InferenceMode = "process",
        workers: int = 2,
        ensemble_method: EnsembleMethod = "average",
        confidence_floor: float = 0.0,
        max_nan_share: float = 0.0,
        max_delay_s: float = 5.0,
        submit: Callable[[Point], object] | None = None,
        exchange: str = "kraken",
    ) -> None:
        if isinstance(bus, SyncBus) and inference_mode != "inline":
            raise PredictionError(
                f"inference_mode {inference_mode!r} on the SyncBus would publish predictions in a "
                "non-deterministic order; use prediction.inference_mode = inline for backtests"
            )
        self.feature_set = feature_set
        self._bus = bus
        self._clock = clock
        self._loader = loader
        self._mode: InferenceMode = inference_mode
        self._workers = workers
        self._method: EnsembleMethod = ensemble_method
        self._floor = confidence_floor
        self._max_nan = max_nan_share
        self._max_delay_ns = int(max_delay_s * 1_000_000_000)
        self._submit = submit
        self._exchange = exchange
        self._runner: InferenceRunner | None = None
        self._routes: dict[str, tuple[LoadedModel, ...]] = {}
        self._experiments: dict[str, tuple[Experiment, LoadedModel]] = {}
        self._history: dict[str, deque[np.ndarray]] = {}
        self._batch: dict[str, BatchPredictions] = {}
        self._failing: set[str] = set()
        self._mismatch_alerted: set[str] = set()
        self._subscription: Any = None
        self.stats: Counter[str] = Counter()

    @classmethod
    def from_settings(
        cls,
        bus: Any,
        clock: Clock,
        settings: PredictionSettings,
        feature_set: FeatureSet,
        loader: Callable[[Any], LoadedModel],
        **kwargs: Any,
    ) -> PredictionService:
        return cls(
            bus,
            clock,
            feature_set,
            loader,
            inference_mode=settings.inference_mode,
            workers=settings.workers,
            ensemble_method=settings.ensemble_method,
            confidence_floor=settings.confidence_floor,
            max_nan_share=settings.max_nan_share,
            max_delay_s=settings.max_delay_s,
            **kwargs,
        )

    # -- life cycle ---------------------------------------------------------------------------

    def start(self, versions: Iterable[ModelVersion]) -> None:
        """Load ``versions`` (the production models) and subscribe to feature vectors."""
        if self._runner is not None:
            raise PredictionError("the PredictionService is running; follow the registry with refresh()")
        loaded = []
        for version in versions:
            try:
                loaded.append(self._loader(version))
            except Exception as exc:
                if version.critical:
                    raise ModelLoadError(
                        f"critical production model {version.model_id} for {version.pair} failed to load: "
                        f"{exc}. Start-up stopped: restore its artefact, or roll back with "
                        f"`galfriday models rollback {version.pair}`"
                    ) from exc
                self._alert(
                    AlertSeverity.WARNING,
                    f"model {version.model_id} skipped",
                    f"production model {version.model_id} for {version.pair} failed to load and is "
                    f"skipped (no predictions from it): {exc}",
                )
        self._runner = make_runner(self._mode, self._workers, loaded)
        self._runner.warm_up(WARM_UP_TIMEOUT_S)
        for model in loaded:
            self.swap(model)
        if self._subscription is None:
            self._subscription = self._bus.subscribe(
                FeatureVectorComputed, self.on_features, name="PredictionService.on_features"
            )

    def stop(self) -> None:
        if self._subscription is not None:
            self._bus.unsubscribe(self._subscription)
            self._subscription = None
        if self._runner is not None:
            self._runner.shutdown()
            self._runner = None

    def swap(self, model: LoadedModel) -> None:
        """Install ``model`` for its (pair, target), replacing the one there, atomically."""
        if model.feature_names != self.feature_set.names:
            raise FeatureContractError(
                f"model {model.model_id} expects features {', '.join(model.feature_names)}, but this "
                f"service receives feature set {self.feature_set.id!r}; load it with that feature set"
            )
        current = self._routes.get(model.pair, ())
        kept = tuple(m for m in current if m.prediction_target != model.prediction_target)
        self._grow_history(model)
        self._routes[model.pair] = (*kept, model)  # one assignment: readers see old or new, never half
        self._failing.discard(model.model_id)
        logger.info("model %s serves %s %s", model.model_id, model.pair, model.prediction_target)

    def refresh(self, versions: Iterable[ModelVersion]) -> None:
        """Follow the registry: swap in production models not served yet, retire those no longer listed.

        Call it with ``ModelRegistry.production(pairs)`` after a promotion or rollback (or on a
        timer). A new model that fails to load is alerted and the model serving now stays: a bad
        artefact never leaves a pair without predictions.
        """
        wanted = list(versions)
        serving = {m.model_id for members in self._routes.values() for m in members}
        for version in wanted:
            if version.model_id in serving:
                continue
            try:
                self.swap(self._loader(version))
            except Exception as exc:
                self._alert(
                    AlertSeverity.CRITICAL,
                    f"model {version.model_id} not swapped in",
                    f"production model {version.model_id} for {version.pair} failed to load ({exc}); "
                    f"{version.pair} keeps its current model",
                )
        slots = {(v.pair, v.prediction_target) for v in wanted}
        for members in list(self._routes.values()):
            for model in members:
                if (model.pair, model.prediction_target) not in slots:
                    self.retire(model.model_id)  # the registry has no production model for it any more

    def retire(self, model_id: str) -> None:
        """Stop using ``model_id`` (archived or rolled back without a replacement)."""
        for pair, members in list(self._routes.items()):
            remaining = tuple(m for m in members if m.model_id != model_id)
            if remaining:
                self._routes[pair] = remaining
            else:
                del self._routes[pair]

    def start_experiment(self, experiment: Experiment, treatment: LoadedModel) -> None:
        """Route bars of ``treatment.pair`` between the production models and ``treatment``."""
        if treatment.model_id != experiment.config.treatment_model_id:
            raise PredictionError(
                f"experiment {experiment.config.experiment_id} tests {experiment.config.treatment_model_id}, "
                f"not {treatment.model_id}"
            )
        self._grow_history(treatment)
        self._experiments[treatment.pair] = (experiment, treatment)

    def stop_experiment(self, experiment_id: str) -> None:
        for pair, (experiment, _) in list(self._experiments.items()):
            if experiment.config.experiment_id == experiment_id:
                del self._experiments[pair]

    def precompute(self, pair: str, ts_ns: np.ndarray, matrix: np.ndarray) -> bool:
        """Backtests: predict at once the vectors ``pair`` will receive — row ``k`` of ``matrix`` is
        the ``k``-th, stamped ``ts_ns[k]`` — and answer those vectors from the result.

        Returns False, and predicts bar by bar as usual, unless that is exact: inline inference, a
        pair without history or experiment, and every member batchable (``prediction.batch``). Once
        precomputed, a vector that is not the next row is an error (``PredictionError``).
        """
        members = self._routes.get(pair, ())
        if (
            self._mode != "inline"
            or not members
            or pair in self._experiments
            or self._history.get(pair)
            or any(m.feature_names != self.feature_set.names for m in members)
            or matrix.shape != (len(ts_ns), len(self.feature_set.names))
        ):
            return False
        too_many_missing = missing_shares(matrix) > self._max_nan
        predictions = [predict_rows(model, matrix, ~too_many_missing) for model in members]
        if any(p is None for p in predictions):
            return False
        self._batch[pair] = BatchPredictions(
            members,
            [int(t) for t in ts_ns],
            too_many_missing.tolist(),
            [p.tolist() for p in predictions if p is not None],
        )
        return True

    def models(self) -> dict[str, tuple[str, ...]]:
        """Model ids in use per pair."""
        return {pair: tuple(m.model_id for m in members) for pair, members in self._routes.items()}

    # -- the handler --------------------------------------------------------------------------

    def on_features(self, event: FeatureVectorComputed) -> None:
        members = self._members(event)
        if not members:
            self.stats["no_model"] += 1
            return
        batch = self._batch.get(event.pair)
        if batch is not None:
            self._from_batch(event, members, batch)
            return
        values = np.array([math.nan if v is None else v for v in event.values], dtype=np.float64)
        if any(event.names != m.feature_names for m in members):
            self._feature_mismatch(event, members)
            return
        history = self._history[event.pair]
        history.append(values)
        if np.isnan(values).mean() > self._max_nan:
            self.stats["too_many_missing"] += 1
            return
        runner = self._runner
        if runner is None:  # stopped while this vector was queued
            return
        pending: Pending = []
        for model in members:
            if len(history) < model.sequence_length:
                self.stats["warming_up"] += 1
                continue
            window = np.stack(list(history)[-model.sequence_length :])[None, :, :]
            pending.append((model, runner.submit(model, window)))
        if pending:
            self._when_done(event, pending)

    def _from_batch(
        self, event: FeatureVectorComputed, members: tuple[LoadedModel, ...], batch: BatchPredictions
    ) -> None:
        """``on_features`` for a precomputed pair: the same checks, in the same order, on the row."""
        if event.names != self.feature_set.names:
            self._feature_mismatch(event, members)
            return
        k = batch.next
        out_of_step = k >= len(batch.ts_ns) or batch.ts_ns[k] != event.ts_event
        if out_of_step or (members is not batch.members and members != batch.members):
            raise PredictionError(
                f"{event.pair} vector stamped {event.ts_event} is not the next precomputed one, or the "
                "models changed: precompute only for a replay that nothing else feeds or swaps"
            )
        batch.next = k + 1
        if batch.too_many_missing[k]:
            self.stats["too_many_missing"] += 1
            return
        if self._runner is None:
            return
        outcomes: list[tuple[LoadedModel, float, BaseException | None]] = []
        for model, p_up in zip(members, batch.p_up, strict=True):
            if k + 1 < model.sequence_length:
                self.stats["warming_up"] += 1
                continue
            outcomes.append((model, p_up[k], None))
        if outcomes:
            self._conclude(event, outcomes)

    def _members(self, event: FeatureVectorComputed) -> tuple[LoadedModel, ...]:
        members = self._routes.get(event.pair, ())
        trial = self._experiments.get(event.pair)
        if trial is not None:
            experiment, treatment = trial
            if experiment.stopped:
                del self._experiments[event.pair]
            elif experiment.assign(event.pair, event.ts_event) is Arm.TREATMENT:
                return (treatment,)
        return members

    def _when_done(self, event: FeatureVectorComputed, pending: Pending) -> None:
        """Call ``_finish`` once every future is done, on the thread that delivered ``event``."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        origin = threading.get_ident()
        remaining = [len(pending)]
        lock = threading.Lock()

        def one_done(_: Future[np.ndarray]) -> None:
            with lock:
                remaining[0] -= 1
                if remaining[0]:
                    return
            if loop is None or threading.get_ident() == origin:
                self._finish(event, pending)
                return
            try:
                loop.call_soon_threadsafe(self._finish, event, pending)
            except RuntimeError:
                logger.warning("prediction for %s dropped: the event loop is closed", event.pair)

        for _, future in pending:
            future.add_done_callback(one_done)

    def _finish(self, event: FeatureVectorComputed, pending: Pending) -> None:
        if any(future.cancelled() for _, future in pending):
            self.stats["canceled"] += 1  # the service stopped with this request still queued
            return
        outcomes: list[tuple[LoadedModel, float, BaseException | None]] = []
        for model, future in pending:
            error = future.exception()
            p_up = math.nan if error is not None else float(np.asarray(future.result()).reshape(-1)[0])
            outcomes.append((model, p_up, error))
        self._conclude(event, outcomes)

    def _conclude(
        self, event: FeatureVectorComputed, outcomes: list[tuple[LoadedModel, float, BaseException | None]]
    ) -> None:
        """Each member's P(up) (or its error) -> the combined ``PredictionMade``, alerts, points."""
        delay = self._clock.timestamp_ns() - event.ts_init
        if delay > self._max_delay_ns:
            # a decision on a bar long gone is worse than none: the market has moved since
            self.stats["late"] += 1
            logger.warning(
                "prediction for %s dropped: ready %.1f s after its features (prediction.max_delay_s %.1f)",
                event.pair,
                delay / 1e9,
                self._max_delay_ns / 1e9,
            )
            return
        results: list[tuple[LoadedModel, float]] = []
        for model, p_up, error in outcomes:
            if error is not None or not 0.0 <= p_up <= 1.0:
                self._model_failed(model, event, error or ValueError(f"P(up) {p_up} is not in [0, 1]"))
                continue
            self._failing.discard(model.model_id)
            results.append((model, p_up))
            if self._submit is not None:
                self._write(event, model.model_id, model.prediction_target, p_up, abs(2 * p_up - 1))
        if not results:
            self.stats["no_prediction"] += 1
            return
        p_up, confidence = combine([p for _, p in results], [m.weight for m, _ in results], self._method)
        if confidence < self._floor:
            self.stats["below_confidence_floor"] += 1
            return
        if len(results) == 1:  # the usual case, without the generator and the set
            model = results[0][0]
            ids, model_id, target = (model.model_id,), model.model_id, model.prediction_target
        else:
            ids = tuple(m.model_id for m, _ in results)
            targets = {m.prediction_target for m, _ in results}
            model_id = f"ensemble-{self._method}-{''.join(filter(str.isalnum, event.pair))}"
            target = targets.pop() if len(targets) == 1 else "ensemble"
        if len(ids) > 1:
            self._write(event, model_id, target, p_up, confidence)
        self._bus.publish(
            PredictionMade(
                ts_event=event.ts_event,
                ts_init=self._clock.timestamp_ns(),
                correlation_id=event.correlation_id,
                pair=event.pair,
                model_id=model_id,
                prediction_target=target,
                p_up=p_up,
                confidence=confidence,
                feature_set_id=event.feature_set_id,
                member_model_ids=ids,
            )
        )
        self.stats["published"] += 1

    # -- helpers ------------------------------------------------------------------------------

    def _grow_history(self, model: LoadedModel) -> None:
        old = self._history.get(model.pair)
        if old is None or (old.maxlen or 0) < model.sequence_length:
            self._history[model.pair] = deque(old or (), maxlen=max(model.sequence_length, 1))

    def _feature_mismatch(self, event: FeatureVectorComputed, members: tuple[LoadedModel, ...]) -> None:
        self.stats["feature_mismatch"] += 1
        if event.pair in self._mismatch_alerted:
            return
        self._mismatch_alerted.add(event.pair)
        expected = next(m for m in members if m.feature_names != event.names)
        self._alert(
            AlertSeverity.CRITICAL,
            f"feature mismatch on {event.pair}",
            f"vectors of feature set {event.feature_set_id!r} ({', '.join(event.names)}) do not match "
            f"model {expected.model_id} ({', '.join(expected.feature_names)}); no predictions for "
            f"{event.pair} until the FeatureEngine runs the model's feature set "
            f"{expected.bundle.feature_set_id!r}",
        )

    def _model_failed(self, model: LoadedModel, event: FeatureVectorComputed, error: BaseException) -> None:
        self.stats["model_failures"] += 1
        logger.error("model %s failed on %s: %s", model.model_id, event.pair, error, exc_info=error)
        if model.model_id in self._failing:
            return
        self._failing.add(model.model_id)
        self._alert(
            AlertSeverity.CRITICAL,
            f"model {model.model_id} failing",
            f"model {model.model_id} failed to predict {event.pair}: {error!r}; it makes no predictions "
            "until it succeeds again (roll back with `galfriday models rollback` if it keeps failing)",
        )

    def _alert(self, severity: AlertSeverity, title: str, message: str) -> None:
        now = self._clock.timestamp_ns()
        self._bus.publish(
            AlertRaised(
                ts_event=now, ts_init=now, severity=severity, title=title, message=message, source=SOURCE
            )
        )

    def _write(
        self, event: FeatureVectorComputed, model_id: str, target: str, p_up: float, confidence: float
    ) -> None:
        if self._submit is None:
            return
        try:
            point = Point(
                "predictions",
                {
                    "exchange": self._exchange,
                    "trading_pair": event.pair,
                    "model_id": model_id,
                    "prediction_target": target,
                },
                {"prediction_value": p_up, "confidence": confidence},
                event.ts_event,
            )
        except StorageError as exc:
            logger.warning("prediction of %s not stored: %s", model_id, exc)
            return
        self._submit(point)

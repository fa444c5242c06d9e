"""``MonitoringService``: the periodic checks of a running session, on a ``Clock`` timer.

Every ``monitoring.health_check_interval_s`` it
1. samples host CPU and memory and the worst event-loop lag since the last tick, sets the gauges,
   and raises ``AlertRaised`` (WARNING) when one crosses its configured threshold — once per
   episode, with an INFO alert when it is back to normal;
2. updates each pair's market-data age and, as a backstop, publishes ``MarketDataStale`` for a
   pair the ingestor has not reported although it is stale by more than one check interval past
   ``stale_after_s``. The ingestor's own report normally comes first and feeds the HALT
   coordinator's stale-data trigger; each episode is reported once, never twice;
3. evaluates the health checks (which publish ``HealthChanged`` on transitions);
4. submits one ``system_metrics`` point (cpu_usage_pct and other ``_pct`` fields are fractions,
   as everywhere in the configuration) through the injected ``submit``, normally
   ``BufferedTimeSeriesWriter.submit``.

It never awaits and never raises into the clock: a failing measurement is logged and skipped.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from galfriday.config.sections.operations import MonitoringSettings
from galfriday.core.clock import NS_PER_S, Clock
from galfriday.core.events import AlertRaised, Event, MarketDataStale, TimeEvent
from galfriday.core.types import AlertSeverity
from galfriday.monitoring.freshness import MarketDataFreshness
from galfriday.monitoring.health import HealthRegistry, HealthReport
from galfriday.monitoring.metrics import Metrics
from galfriday.monitoring.resources import ResourceSample, ResourceSampler
from galfriday.monitoring.thresholds import Crossing, ThresholdAlarm
from galfriday.storage.timeseries.errors import SchemaError
from galfriday.storage.timeseries.point import FieldValue, Point

logger = logging.getLogger(__name__)

TIMER_NAME = "monitoring.checks"
SOURCE = "monitoring"
MIB = 1024 * 1024

Publish = Callable[[Event], None]
FieldSource = Callable[[], Mapping[str, FieldValue]]


class LagSource(Protocol):
    def take_max_lag_s(self) -> float: ...


class MonitoringService:
    def __init__(
        self,
        settings: MonitoringSettings,
        clock: Clock,
        publish: Publish,
        *,
        health: HealthRegistry,
        resources: ResourceSampler,
        loop_lag: LagSource | None = None,
        freshness: MarketDataFreshness | None = None,
        stale_after_s: float = 60.0,
        metrics: Metrics | None = None,
        submit: Callable[[Point], object] | None = None,
        field_sources: Sequence[FieldSource] = (),
        host_id: str | None = None,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._publish = publish
        self._health = health
        self._resources = resources
        self._loop_lag = loop_lag
        self._freshness = freshness
        self._stale_after_s = stale_after_s
        self._metrics = metrics
        self._submit = submit
        self._field_sources = tuple(field_sources)
        self._host_id = host_id or socket.gethostname()
        self._interval_s = settings.health_check_interval_s
        self._cpu = ThresholdAlarm(settings.cpu_warn_pct)
        self._memory = ThresholdAlarm(settings.memory_warn_pct)
        self._lag = ThresholdAlarm(settings.event_loop_lag_warn_ms / 1000)
        self.last_report: HealthReport | None = None

    def start(self) -> None:
        self._clock.set_timer(TIMER_NAME, int(self._interval_s * NS_PER_S), self._on_timer)

    def stop(self) -> None:
        self._clock.cancel_timer(TIMER_NAME)

    def _on_timer(self, _: TimeEvent) -> None:
        self.check_now()

    def check_now(self) -> HealthReport:
        """Run every periodic check once (the timer calls this; start-up may call it too)."""
        fields: dict[str, FieldValue] = {}
        sample = self._sample_resources()
        if sample is not None:
            self._check_resources(sample)
            fields["cpu_usage_pct"] = sample.cpu_ratio
            fields["memory_usage_mb"] = sample.process_rss_bytes / MIB
        if self._loop_lag is not None:
            self._check_loop_lag(self._loop_lag.take_max_lag_s())
        if self._freshness is not None:
            self._check_freshness(self._freshness)
        self.last_report = self._health.evaluate()
        for source in self._field_sources:
            try:
                fields.update(source())
            except Exception:
                logger.exception("a system_metrics field source failed; its fields are left out")
        self._write_point(fields)
        return self.last_report

    # -- resources and loop lag -----------------------------------------------------------------

    def _sample_resources(self) -> ResourceSample | None:
        try:
            return self._resources()
        except Exception:
            logger.exception("could not sample CPU/memory; skipping this check")
            return None

    def _check_resources(self, sample: ResourceSample) -> None:
        if self._metrics is not None:
            self._metrics.cpu_usage.set(sample.cpu_ratio)
            self._metrics.memory_usage.set(sample.memory_ratio)
        self._alarm(
            self._cpu.update(sample.cpu_ratio),
            "CPU",
            f"host CPU at {sample.cpu_ratio:.0%} (warning at {self._cpu.threshold:.0%})",
            "find what else runs on this machine or move the system to a larger one",
        )
        self._alarm(
            self._memory.update(sample.memory_ratio),
            "Memory",
            f"host memory at {sample.memory_ratio:.0%} (warning at {self._memory.threshold:.0%}); "
            f"this process uses {sample.process_rss_bytes / MIB:.0f} MiB",
            "free memory before the system swaps or is killed",
        )

    def _check_loop_lag(self, lag_s: float) -> None:
        if self._metrics is not None:
            self._metrics.event_loop_lag.set(lag_s)
        self._alarm(
            self._lag.update(lag_s),
            "Event-loop lag",
            f"the event loop was {lag_s * 1000:.0f} ms late (warning at {self._lag.threshold * 1000:.0f} ms)",
            "market data and orders are delayed; look for a blocking handler in the log",
        )

    def _alarm(self, crossing: Crossing | None, what: str, detail: str, advice: str) -> None:
        if crossing is None:
            return
        if crossing is Crossing.RAISED:
            severity, title, message = AlertSeverity.WARNING, f"{what} high", f"{detail}: {advice}"
        else:
            severity, title, message = AlertSeverity.INFO, f"{what} back to normal", detail
        now = self._clock.timestamp_ns()
        self._publish(
            AlertRaised(
                ts_event=now, ts_init=now, severity=severity, title=title, message=message, source=SOURCE
            )
        )

    # -- market data ----------------------------------------------------------------------------

    def _check_freshness(self, freshness: MarketDataFreshness) -> None:
        backstop_after_s = self._stale_after_s + self._interval_s
        for pair, age in freshness.ages_s().items():
            if self._metrics is not None:
                self._metrics.market_data_age.labels(pair).set(age)
            if age >= backstop_after_s and not freshness.is_reported(pair):
                freshness.mark_reported(pair)
                logger.error(
                    "%s: no verified book update for %.0fs and no stale report from the ingestor; "
                    "reporting it stale",
                    pair,
                    age,
                )
                now = self._clock.timestamp_ns()
                self._publish(
                    MarketDataStale(
                        ts_event=now,
                        ts_init=now,
                        pair=pair,
                        last_update_ns=freshness.last_update_ns(pair),
                        stale_for_s=age,
                    )
                )

    # -- time series ----------------------------------------------------------------------------

    def _write_point(self, fields: dict[str, FieldValue]) -> None:
        if self._submit is None or not fields:
            return
        try:
            point = Point("system_metrics", {"host_id": self._host_id}, fields, self._clock.timestamp_ns())
        except SchemaError:
            logger.exception("system_metrics point refused; fix the field source named in the error")
            return
        self._submit(point)

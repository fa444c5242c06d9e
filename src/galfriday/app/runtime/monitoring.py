"""The active monitoring of a session, started once everything it watches runs.

- health: ``HealthRegistry`` with the market-data, exchange, HALT and database checks (the
  database pinged in the background by ``DatabaseProbe``), read by ``/health/ready``;
- ``MonitoringService`` on the clock (CPU, memory, loop lag, freshness backstop, health, the
  ``system_metrics`` point) and ``StatsPoller`` (bus queues, ingestor, WS client into Prometheus);
- ``AlertManager`` fanning alerts out to the configured channels;
- the ``system_logs`` and log-count sinks on the root logger;
- the Prometheus endpoint on ``monitoring.metrics_host:metrics_port`` (also served by the control
  API at ``/metrics``).

``stop`` stops the timers first (no check may fire while the session winds down; the log counts
are written one last time while the time-series writer is open) and ``close`` drains alerts and
the ``system_logs`` sink last, so the shutdown itself is still stored and alerted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from prometheus_client import start_http_server

from galfriday.app.runtime.errors import StartRefused
from galfriday.app.runtime.market_data import MarketData
from galfriday.app.runtime.observers import Observers
from galfriday.config.schema import Settings
from galfriday.core.clock import Clock
from galfriday.kraken.circuit_breaker import CircuitBreaker
from galfriday.monitoring.alerting import AlertManager, alert_manager_from_settings
from galfriday.monitoring.db_probe import DatabaseProbe, engine_ping
from galfriday.monitoring.health import HealthRegistry
from galfriday.monitoring.health_checks import api_check, halt_check, market_data_check
from galfriday.monitoring.log_sinks import LogCountSink, SystemLogSink
from galfriday.monitoring.loop_lag import LoopLagMonitor
from galfriday.monitoring.resources import PsutilSampler
from galfriday.monitoring.service import MonitoringService
from galfriday.monitoring.stats_poller import StatsPoller
from galfriday.risk.halt import HaltCoordinator
from galfriday.storage.db.database import Database
from galfriday.storage.db.repositories import SystemLogRepository
from galfriday.storage.timeseries import BufferedTimeSeriesWriter

logger = logging.getLogger(__name__)


class Monitoring:
    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        bus: Any,
        observers: Observers,
        market_data: MarketData,
        halt: HaltCoordinator,
        database: Database,
        writer: BufferedTimeSeriesWriter,
        breakers: Sequence[CircuitBreaker] = (),
    ) -> None:
        self._settings = settings
        self._clock = clock
        stale_after_s = settings.market_data.stale_after_s
        self.health = HealthRegistry(clock, bus.publish)
        self.db_probe = DatabaseProbe(engine_ping(database.engine))
        self.health.register("market_data", market_data_check(observers.freshness, stale_after_s))
        self.health.register("exchange", api_check(breakers, lambda: market_data.ingestor.exchange_status))
        self.health.register("halt", halt_check(halt))
        self.health.register("database", self.db_probe.check)
        self.poller = StatsPoller(
            observers.metrics,
            bus=bus,
            ingestor=market_data.ingestor,
            breakers=breakers,
            ws_feeds={"public": market_data.client},
        )
        self.loop_lag = LoopLagMonitor()
        self.service = MonitoringService(
            settings.monitoring,
            clock,
            bus.publish,
            health=self.health,
            resources=PsutilSampler(),
            loop_lag=self.loop_lag,
            freshness=observers.freshness,
            stale_after_s=stale_after_s,
            metrics=observers.metrics,
            submit=writer.submit,
            field_sources=(self.poller.system_fields, observers.metrics_recorder.take_latency_fields),
        )
        self.alerts: AlertManager = alert_manager_from_settings(settings.alerting)
        self.alerts.attach(bus)
        self.system_logs = SystemLogSink(SystemLogRepository(database.sessions))
        self.log_counts = LogCountSink(writer.submit)
        self._observers = observers
        self._metrics_server: Any = None
        self._started = False

    async def start(self) -> None:
        await self.db_probe.probe_once()  # readiness knows the database before the first request
        self.db_probe.start()
        self.loop_lag.start()
        self.poller.start(self._clock)
        self.service.start()
        self.alerts.start()
        root = logging.getLogger()
        self.system_logs.start()
        root.addHandler(self.system_logs)
        self.log_counts.start(self._clock)
        root.addHandler(self.log_counts)
        self._started = True
        monitoring = self._settings.monitoring
        if monitoring.metrics_enabled:
            try:
                self._metrics_server, _ = start_http_server(
                    monitoring.metrics_port,
                    monitoring.metrics_host,
                    registry=self._observers.metrics.registry,
                )
            except OSError as exc:
                raise StartRefused(
                    f"cannot serve Prometheus metrics on {monitoring.metrics_host}:{monitoring.metrics_port} "
                    f"({exc}): is another galfriday running? Change monitoring.metrics_port or set "
                    "monitoring.metrics_enabled: false"
                ) from exc
            logger.info(
                "Prometheus metrics on http://%s:%d/metrics", monitoring.metrics_host, monitoring.metrics_port
            )
        self.service.check_now()

    async def stop(self) -> None:
        """Stop every timer and probe: nothing may fire (or HALT) while the session winds down."""
        self.service.stop()
        self.poller.stop()
        await self.loop_lag.stop()
        await self.db_probe.stop()
        if self._started:
            self.log_counts.write_counts()  # the last counts, while the time-series writer is open
        logging.getLogger().removeHandler(self.log_counts)
        self.log_counts.close()

    async def close(self, timeout_s: float) -> None:
        """Last of all: deliver queued alerts, write the log records, stop the metrics endpoint."""
        if self._metrics_server is not None:
            self._metrics_server.shutdown()
            self._metrics_server.server_close()
        if not await self.alerts.drain(timeout_s):
            logger.warning("some alerts were not delivered within %.0fs of shutdown", timeout_s)
        await self.alerts.aclose()
        logging.getLogger().removeHandler(self.system_logs)
        await self.system_logs.aclose(timeout_s)

"""MonitoringService on a SimClock: thresholds raise alerts once per episode, stale data is reported
once (the ingestor first, monitoring only as a backstop), and one system_metrics point per tick."""

from __future__ import annotations

import logging

import pytest

from galfriday.config.sections.operations import MonitoringSettings
from galfriday.config.sections.risk import RiskSettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import NS_PER_S, SimClock
from galfriday.core.events import AlertRaised, HaltTriggered, HealthChanged, MarketDataStale
from galfriday.core.instruments import default_instruments
from galfriday.core.types import AlertSeverity, HealthStatus
from galfriday.marketdata.ingestor import DataIngestor
from galfriday.monitoring import (
    HealthRegistry,
    LoopLagMonitor,
    MarketDataFreshness,
    Metrics,
    MonitoringService,
    ResourceSample,
    market_data_check,
)
from galfriday.risk.halt import HaltCoordinator
from galfriday.storage.timeseries.point import Point
from tests.unit.portfolio._kit import Recorder, book
from tests.unit.risk._fakes import FakePortfolio

T = 1_700_000_000 * NS_PER_S
PAIRS = ["XRP/USD", "DOGE/USD"]
INTERVAL_S = 30.0


class Host:
    """Injected measurements a test sets directly."""

    def __init__(self) -> None:
        self.sample = ResourceSample(cpu_ratio=0.2, memory_ratio=0.3, process_rss_bytes=300 * 1024 * 1024)
        self.error: Exception | None = None

    def set(self, cpu: float | None = None, memory: float | None = None) -> None:
        self.sample = ResourceSample(
            cpu_ratio=self.sample.cpu_ratio if cpu is None else cpu,
            memory_ratio=self.sample.memory_ratio if memory is None else memory,
            process_rss_bytes=self.sample.process_rss_bytes,
        )

    def __call__(self) -> ResourceSample:
        if self.error is not None:
            raise self.error
        return self.sample


class Setup:
    def __init__(self, *, with_freshness: bool = True) -> None:
        self.clock = SimClock(T)
        self.bus = SyncBus()
        self.recorder = Recorder(self.bus)
        self.host = Host()
        self.lag = LoopLagMonitor()
        self.metrics = Metrics()
        self.points: list[Point] = []
        self.freshness = MarketDataFreshness(self.clock, PAIRS) if with_freshness else None
        self.health = HealthRegistry(self.clock, self.bus.publish)
        if self.freshness is not None:
            self.freshness.attach(self.bus)
            self.health.register("market_data", market_data_check(self.freshness, 60.0))
        self.service = MonitoringService(
            MonitoringSettings(
                health_check_interval_s=INTERVAL_S,
                cpu_warn_pct=0.9,
                memory_warn_pct=0.85,
                event_loop_lag_warn_ms=100,
            ),
            self.clock,
            self.bus.publish,
            health=self.health,
            resources=self.host,
            loop_lag=self.lag,
            freshness=self.freshness,
            stale_after_s=60.0,
            metrics=self.metrics,
            submit=self.points.append,
            field_sources=[lambda: {"event_queue_depth": 7, "websocket_connected": True}],
            host_id="test-host",
        )

    def tick(self) -> None:
        self.clock.advance_to(self.clock.timestamp_ns() + int(INTERVAL_S * NS_PER_S))

    def alerts(self) -> list[tuple[AlertSeverity, str]]:
        return [(a.severity, a.title) for a in self.recorder.of(AlertRaised)]

    def feed_books(self) -> None:
        for pair in PAIRS:
            self.bus.publish(book(pair, "0.5", "0.51", ts=self.clock.timestamp_ns()))


def test_cpu_and_memory_thresholds_alert_once_per_episode() -> None:
    s = Setup()
    s.service.start()
    s.feed_books()

    s.host.set(cpu=0.95)
    s.tick()
    s.tick()  # still high: no second alert
    s.host.set(cpu=0.85)
    s.tick()  # below the threshold but within the hysteresis: still the same episode
    s.host.set(cpu=0.5, memory=0.9)
    s.tick()

    assert s.alerts() == [
        (AlertSeverity.WARNING, "CPU high"),
        (AlertSeverity.INFO, "CPU back to normal"),
        (AlertSeverity.WARNING, "Memory high"),
    ]
    cpu_alert = s.recorder.of(AlertRaised)[0]
    assert "95%" in cpu_alert.message and "90%" in cpu_alert.message and cpu_alert.source == "monitoring"
    assert s.metrics.registry.get_sample_value("galfriday_memory_usage_ratio") == 0.9


def test_event_loop_lag_threshold() -> None:
    s = Setup()
    s.lag.record(0.02)
    s.service.check_now()
    s.lag.record(0.25)  # one spike between two checks is enough
    s.lag.record(0.01)
    s.service.check_now()
    s.service.check_now()  # nothing since: 0 lag, clears

    assert s.alerts() == [
        (AlertSeverity.WARNING, "Event-loop lag high"),
        (AlertSeverity.INFO, "Event-loop lag back to normal"),
    ]
    assert "250 ms late" in s.recorder.of(AlertRaised)[0].message


def test_one_system_metrics_point_per_tick() -> None:
    s = Setup()
    s.service.start()
    s.host.set(cpu=0.25)
    s.tick()
    s.tick()

    assert len(s.points) == 2
    point = s.points[-1]
    assert point.measurement == "system_metrics" and point.tags == {"host_id": "test-host"}
    assert point.fields == {
        "cpu_usage_pct": 0.25,
        "memory_usage_mb": 300.0,
        "event_queue_depth": 7,
        "websocket_connected": True,
    }
    assert point.ts_ns == T + 2 * int(INTERVAL_S * NS_PER_S)

    s.service.stop()
    s.tick()
    assert len(s.points) == 2


def test_health_is_evaluated_each_tick_and_transitions_published() -> None:
    s = Setup()
    s.service.start()
    s.feed_books()
    s.tick()
    assert s.service.last_report is not None and s.service.last_report.ready
    s.tick()  # 60 s without books

    assert s.service.last_report is not None and not s.service.last_report.ready
    assert [(e.component, e.status) for e in s.recorder.of(HealthChanged)] == [
        ("market_data", HealthStatus.FAILED)
    ]
    assert s.metrics.registry.get_sample_value("galfriday_market_data_age_seconds", {"pair": "XRP/USD"}) == 60


def test_backstop_reports_a_stale_pair_the_ingestor_did_not_report_once() -> None:
    s = Setup()
    s.service.start()
    for _ in range(2):
        s.tick()  # 60 s: inside the ingestor's turn (stale_after + one interval)
    assert s.recorder.of(MarketDataStale) == []

    s.tick()  # 90 s
    s.tick()  # 120 s: already reported

    assert sorted(e.pair for e in s.recorder.of(MarketDataStale)) == sorted(PAIRS)
    assert all(e.stale_for_s == 90.0 and e.last_update_ns == T for e in s.recorder.of(MarketDataStale))


def test_no_second_report_when_the_ingestor_reported_and_exactly_one_halt() -> None:
    s = Setup()
    halt = HaltCoordinator(RiskSettings(), s.clock, s.bus.publish, FakePortfolio())
    halt.attach(s.bus)
    ingestor = DataIngestor(s.bus, s.clock, PAIRS, instruments=default_instruments(), stale_after_s=60.0)
    ingestor.start()
    s.service.start()

    for _ in range(5):
        s.tick()

    assert sorted(e.pair for e in s.recorder.of(MarketDataStale)) == sorted(
        PAIRS
    )  # the ingestor's two, no more
    assert len(s.recorder.of(HaltTriggered)) == 1
    assert halt.current is not None and halt.current.trigger == "stale_market_data"
    # one pair HALTed, the other was recorded on the same HALT by the ingestor — none by monitoring
    assert len(halt.current.later_triggers) == 1


def test_a_failing_measurement_is_logged_and_the_rest_still_runs(caplog: pytest.LogCaptureFixture) -> None:
    s = Setup()

    s.host.error = OSError("no /proc")
    with caplog.at_level(logging.ERROR):
        report = s.service.check_now()

    assert "could not sample CPU/memory" in caplog.text
    assert report.ready
    assert s.points[-1].fields == {"event_queue_depth": 7, "websocket_connected": True}

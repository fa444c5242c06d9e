"""With a session's worth of events and stats, every exported family carries samples."""

from __future__ import annotations

from decimal import Decimal as D

from prometheus_client.parser import text_string_to_metric_families

from galfriday.config.sections.operations import MonitoringSettings
from galfriday.core.bus import AsyncBus
from galfriday.core.clock import NS_PER_S, SimClock
from galfriday.core.events import (
    AlertRaised,
    HaltTriggered,
    HealthChanged,
    MarketDataStale,
    OrderRejected,
    PositionChanged,
    SystemStateChanged,
)
from galfriday.core.instruments import default_instruments
from galfriday.core.types import AlertSeverity, HaltBehaviour, HealthStatus, SystemState
from galfriday.kraken.circuit_breaker import CircuitBreaker
from galfriday.marketdata.ingestor import DataIngestor
from galfriday.monitoring import (
    HealthRegistry,
    LoopLagMonitor,
    MarketDataFreshness,
    Metrics,
    MetricsRecorder,
    MonitoringService,
    ResourceSample,
    StatsPoller,
)
from tests.unit.monitoring._events import (
    approved,
    features,
    filled,
    portfolio_snapshot,
    prediction,
    proposed,
    rejected_signal,
    submitted,
    trade_closed,
)
from tests.unit.monitoring._families import EXPORTED_FAMILIES

T = 1_700_000_000 * NS_PER_S


class Feed:
    connected = True

    def stats(self) -> dict[str, int]:
        return {"reconnects": 1}


async def test_every_family_has_samples_after_a_session() -> None:
    clock = SimClock(T)
    bus = AsyncBus()
    metrics = Metrics()
    MetricsRecorder(metrics).attach(bus)
    ms = 1_000_000
    events = [
        features("XRP/USD", T),
        prediction("XRP/USD", T - ms, T + ms, correlation_id="c"),
        proposed("s1", T + 2 * ms, correlation_id="c"),
        approved("s1", T + 3 * ms),
        proposed("s2", T + 2 * ms),
        rejected_signal("s2", T + 3 * ms),
        submitted("o1", T + 4 * ms, correlation_id="c"),
        filled("o1", T + 5 * ms),
        OrderRejected(ts_event=T, ts_init=T, client_order_id="o2", pair="XRP/USD", reason="funds"),
        trade_closed("1.5", T),
        PositionChanged(
            ts_event=T,
            ts_init=T,
            pair="XRP/USD",
            qty=D(0),
            avg_price=D(0),
            realized_pnl=D("1.5"),
            unrealized_pnl=D(0),
        ),
        portfolio_snapshot(T),
        HaltTriggered(ts_event=T, ts_init=T, trigger="manual", reason="r", behaviour=HaltBehaviour.CLOSE),
        SystemStateChanged(ts_event=T, ts_init=T, previous=SystemState.RUNNING, current=SystemState.HALTED),
        MarketDataStale(ts_event=T, ts_init=T, pair="XRP/USD", last_update_ns=T, stale_for_s=60),
        HealthChanged(ts_event=T, ts_init=T, component="api", status=HealthStatus.DEGRADED),
        AlertRaised(ts_event=T, ts_init=T, severity=AlertSeverity.WARNING, title="t", message="m"),
    ]
    for event in events:
        bus.publish(event)
    await bus.start()
    await bus.stop()  # every event delivered: handler and delivery latencies measured
    ingestor = DataIngestor(bus, clock, ["XRP/USD"], instruments=default_instruments())
    StatsPoller(
        metrics, bus=bus, ingestor=ingestor, breakers=[CircuitBreaker("rest")], ws_feeds={"public": Feed()}
    ).poll()
    MonitoringService(
        MonitoringSettings(),
        clock,
        bus.publish,
        health=HealthRegistry(clock),
        resources=lambda: ResourceSample(0.1, 0.2, 1024),
        loop_lag=LoopLagMonitor(),
        freshness=MarketDataFreshness(clock, ["XRP/USD"]),
        metrics=metrics,
    ).check_now()

    text = metrics.render()[0].decode()
    with_samples = {f.name for f in text_string_to_metric_families(text) if f.samples}

    assert EXPORTED_FAMILIES - with_samples == set()

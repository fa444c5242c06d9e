"""MetricsRecorder: bus events become the right samples, latencies follow the kernel's links."""

from __future__ import annotations

from decimal import Decimal

import pytest

from galfriday.core.bus import SyncBus
from galfriday.core.events import (
    AlertRaised,
    HaltResumed,
    HaltTriggered,
    HealthChanged,
    MarketDataStale,
    OrderAccepted,
    OrderCanceled,
    OrderRejected,
    PositionChanged,
    SystemStateChanged,
)
from galfriday.core.types import AlertSeverity, HaltBehaviour, HealthStatus, SystemState
from galfriday.monitoring import Metrics, MetricsRecorder
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

MS = 1_000_000
T = 1_700_000_000_000_000_000


class Setup:
    def __init__(self) -> None:
        self.metrics = Metrics()
        self.recorder = MetricsRecorder(self.metrics)
        self.bus = SyncBus()
        self.recorder.attach(self.bus)

    def value(self, name: str, **labels: str) -> float | None:
        return self.metrics.registry.get_sample_value(name, labels)


@pytest.fixture
def s() -> Setup:
    return Setup()


def test_prediction_risk_and_market_to_order_latencies(s: Setup) -> None:
    s.bus.publish(features("XRP/USD", T))
    s.bus.publish(prediction("XRP/USD", market_ts=T - 3 * MS, ts=T + 2 * MS, correlation_id="c1"))
    s.bus.publish(proposed("sig-1", T + 3 * MS, correlation_id="c1"))
    s.bus.publish(approved("sig-1", T + 4 * MS))
    s.bus.publish(submitted("o1", T + 7 * MS, correlation_id="c1"))
    s.bus.publish(submitted("o1-sl", T + 9 * MS, correlation_id="c1"))  # the stop-loss: not market→order

    assert s.value("galfriday_prediction_latency_seconds_count") == 1
    assert s.value("galfriday_prediction_latency_seconds_sum") == pytest.approx(0.002)
    assert s.value("galfriday_risk_check_latency_seconds_sum") == pytest.approx(0.001)
    assert s.value("galfriday_market_data_to_order_seconds_count") == 1
    assert s.value("galfriday_market_data_to_order_seconds_sum") == pytest.approx(0.010)
    assert s.value("galfriday_market_data_to_order_seconds_bucket", le="0.01") == 1
    assert s.recorder.take_latency_fields() == pytest.approx(
        {"prediction_latency_ms": 2.0, "end_to_end_latency_ms": 10.0}
    )
    assert s.recorder.take_latency_fields() == {}  # means are per interval


def test_a_prediction_without_correlation_id_links_by_its_event_id(s: Setup) -> None:
    event = prediction("XRP/USD", market_ts=T, ts=T + MS)
    s.bus.publish(event)
    s.bus.publish(submitted("o1", T + 5 * MS, correlation_id=event.event_id))

    assert s.value("galfriday_market_data_to_order_seconds_sum") == pytest.approx(0.005)


def test_pending_links_are_bounded() -> None:
    metrics = Metrics()
    recorder = MetricsRecorder(metrics, max_pending_links=2)
    for i in range(3):
        recorder.on_signal_proposed(proposed(f"sig-{i}", T))
    recorder.on_signal_decided(approved("sig-0", T + MS))  # forgotten: the oldest link
    recorder.on_signal_decided(approved("sig-2", T + MS))

    assert metrics.registry.get_sample_value("galfriday_risk_check_latency_seconds_count") == 1


def test_orders_by_status_fills_and_rejects(s: Setup) -> None:
    s.bus.publish(submitted("o1", T))
    s.bus.publish(
        OrderAccepted(ts_event=T, ts_init=T, client_order_id="o1", exchange_order_id="X", pair="XRP/USD")
    )
    s.bus.publish(filled("o1", T, leaves="50"))
    s.bus.publish(filled("o1", T, leaves="0"))
    s.bus.publish(
        OrderCanceled(ts_event=T, ts_init=T, client_order_id="o2", exchange_order_id="Y", pair="XRP/USD")
    )
    s.bus.publish(OrderRejected(ts_event=T, ts_init=T, client_order_id="o3", pair="DOGE/USD", reason="funds"))
    s.bus.publish(rejected_signal("sig-9", T, stage="exposure"))
    s.bus.publish(trade_closed("3.5", T))

    for status, count in (
        ("PENDING_NEW", 1),
        ("NEW", 1),
        ("PARTIALLY_FILLED", 1),
        ("FILLED", 1),
        ("CANCELED", 1),
        ("REJECTED", 1),
    ):
        assert s.value("galfriday_orders_total", status=status) == count
    assert s.value("galfriday_fills_total", pair="XRP/USD", side="BUY", liquidity="MAKER") == 2
    assert s.value("galfriday_order_rejects_total", pair="DOGE/USD") == 1
    assert s.value("galfriday_signals_rejected_total", stage="exposure") == 1
    assert s.value("galfriday_trades_closed_total", pair="XRP/USD", exit_reason="TP_HIT") == 1


def test_pnl_equity_and_drawdowns(s: Setup) -> None:
    s.bus.publish(
        PositionChanged(
            ts_event=T,
            ts_init=T,
            pair="DOGE/USD",
            qty=Decimal(0),
            avg_price=Decimal(0),
            realized_pnl=Decimal("-4.25"),
            unrealized_pnl=Decimal(0),
        )
    )
    s.bus.publish(portfolio_snapshot(T))

    assert s.value("galfriday_realized_pnl", pair="DOGE/USD") == -4.25
    assert s.value("galfriday_unrealized_pnl", pair="XRP/USD") == 10.0
    assert s.value("galfriday_equity") == 10010.5
    assert s.value("galfriday_exposure_ratio") == 0.05
    assert [s.value("galfriday_drawdown_ratio", period=p) for p in ("daily", "weekly", "total")] == [
        0.01,
        0.02,
        0.03,
    ]


def test_halt_state_with_its_trigger_and_back(s: Setup) -> None:
    assert s.value("galfriday_halted", trigger="none") == 0

    s.bus.publish(
        HaltTriggered(
            ts_event=T, ts_init=T, trigger="daily_drawdown", reason="2.1%", behaviour=HaltBehaviour.CLOSE
        )
    )
    s.bus.publish(
        SystemStateChanged(ts_event=T, ts_init=T, previous=SystemState.RUNNING, current=SystemState.HALTED)
    )

    assert s.value("galfriday_halted", trigger="daily_drawdown") == 1
    assert s.value("galfriday_halted", trigger="none") is None
    assert s.value("galfriday_halts_total", trigger="daily_drawdown") == 1
    assert s.value("galfriday_system_state", state="HALTED") == 1
    assert s.value("galfriday_system_state", state="RUNNING") == 0

    s.bus.publish(HaltResumed(ts_event=T, ts_init=T, resumed_by="alice"))

    assert s.value("galfriday_halted", trigger="none") == 0
    assert s.value("galfriday_halted", trigger="daily_drawdown") is None


def test_halted_at_start_up_without_a_trigger_event_is_shown_as_restored(s: Setup) -> None:
    s.bus.publish(
        SystemStateChanged(
            ts_event=T,
            ts_init=T,
            previous=SystemState.STARTING,
            current=SystemState.HALTED,
            reason="restored HALT",
        )
    )

    assert s.value("galfriday_halted", trigger="restored") == 1


def test_stale_health_and_alerts(s: Setup) -> None:
    s.bus.publish(
        MarketDataStale(ts_event=T, ts_init=T, pair="XRP/USD", last_update_ns=T - 1, stale_for_s=61.0)
    )
    s.bus.publish(HealthChanged(ts_event=T, ts_init=T, component="database", status=HealthStatus.FAILED))
    s.bus.publish(AlertRaised(ts_event=T, ts_init=T, severity=AlertSeverity.WARNING, title="t", message="m"))

    assert s.value("galfriday_market_data_stale_total", pair="XRP/USD") == 1
    assert s.value("galfriday_health_status", component="database") == 2
    assert s.value("galfriday_alerts_raised_total", severity="WARNING") == 1


def test_each_metrics_instance_has_its_own_registry() -> None:
    a, b = Metrics(), Metrics()
    a.equity.set(5)

    assert b.registry.get_sample_value("galfriday_equity") == 0
    body, content_type = a.render()
    assert b"galfriday_equity 5.0" in body and content_type.startswith("text/plain")

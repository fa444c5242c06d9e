"""The Prometheus metric families Gal-Friday exports, on a registry the runtime owns.

A fresh ``CollectorRegistry`` per ``Metrics`` (never the process-wide default) keeps tests
isolated and lets one process run two sessions without their numbers mixing. The families here
are *pushed*: ``MetricsRecorder`` updates them from bus events and ``MonitoringService`` from its
periodic checks. Figures read from other components' ``stats()`` (bus queues, the ingestor,
circuit breakers, WebSocket clients) are *pulled* by ``StatsPoller``, which registers its own
collector on the same registry.

Units follow Prometheus conventions: seconds, ratios (0.02 = 2 %), and money in the portfolio's
quote currency as a float (metrics are for graphs and alert rules, the ledger stays Decimal).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from galfriday.core.types import HealthStatus, SystemState

# From half a millisecond (the in-process path) to five seconds (a stalled venue round trip).
LATENCY_BUCKETS_S = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

HEALTH_VALUE = {HealthStatus.OK: 0, HealthStatus.DEGRADED: 1, HealthStatus.FAILED: 2}
NOT_HALTED = "none"


class Metrics:
    """Every pushed metric family, created on ``registry`` (a new one by default)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)  # process_cpu_seconds_total, process_resident_memory_bytes, …

        # -- latencies of the trading path
        self.market_data_to_order = Histogram(
            "galfriday_market_data_to_order_seconds",
            "From the market data behind a prediction to the order it led to being submitted.",
            buckets=LATENCY_BUCKETS_S,
            registry=r,
        )
        self.prediction_latency = Histogram(
            "galfriday_prediction_latency_seconds",
            "From a pair's feature vector to the prediction made on it.",
            buckets=LATENCY_BUCKETS_S,
            registry=r,
        )
        self.risk_check_latency = Histogram(
            "galfriday_risk_check_latency_seconds",
            "From a proposed signal to its approval or rejection by the risk manager.",
            buckets=LATENCY_BUCKETS_S,
            registry=r,
        )

        # -- orders and trades
        self.orders = Counter(
            "galfriday_orders", "Order status transitions, by the status reached.", ["status"], registry=r
        )
        self.fills = Counter(
            "galfriday_fills", "Executions against our orders.", ["pair", "side", "liquidity"], registry=r
        )
        self.order_rejects = Counter(
            "galfriday_order_rejects", "Orders the venue rejected.", ["pair"], registry=r
        )
        self.signals_rejected = Counter(
            "galfriday_signals_rejected", "Signals the risk manager refused, by stage.", ["stage"], registry=r
        )
        self.trades_closed = Counter(
            "galfriday_trades_closed", "Round trips closed.", ["pair", "exit_reason"], registry=r
        )

        # -- portfolio
        self.realized_pnl = Gauge(
            "galfriday_realized_pnl",
            "Realised P&L of the pair's position, net of fees.",
            ["pair"],
            registry=r,
        )
        self.unrealized_pnl = Gauge(
            "galfriday_unrealized_pnl",
            "Unrealised P&L of the pair's position at its mark.",
            ["pair"],
            registry=r,
        )
        self.equity = Gauge("galfriday_equity", "Equity incl. unrealised P&L (quote currency).", registry=r)
        self.exposure = Gauge(
            "galfriday_exposure_ratio", "Total exposure as a fraction of equity.", registry=r
        )
        self.drawdown = Gauge(
            "galfriday_drawdown_ratio", "Drawdown from the period's equity peak.", ["period"], registry=r
        )

        # -- system state, HALT, health, alerts
        self.halted = Gauge(
            "galfriday_halted",
            "1 while trading is HALTED (label: the trigger), else 0.",
            ["trigger"],
            registry=r,
        )
        self.halted.labels(NOT_HALTED).set(0)
        self.halts = Counter("galfriday_halts", "HALTs, by trigger.", ["trigger"], registry=r)
        self.system_state = Gauge(
            "galfriday_system_state",
            "1 for the current system state, 0 for the others.",
            ["state"],
            registry=r,
        )
        for state in SystemState:
            self.system_state.labels(state.value).set(1 if state is SystemState.STARTING else 0)
        self.market_data_stale = Counter(
            "galfriday_market_data_stale", "Stale-market-data episodes, by pair.", ["pair"], registry=r
        )
        self.health_status = Gauge(
            "galfriday_health_status",
            "Health check status: 0 OK, 1 DEGRADED, 2 FAILED.",
            ["component"],
            registry=r,
        )
        self.alerts_raised = Counter(
            "galfriday_alerts_raised", "Alerts raised on the bus, by severity.", ["severity"], registry=r
        )

        # -- host and process (set by MonitoringService)
        self.cpu_usage = Gauge("galfriday_cpu_usage_ratio", "Host CPU use (0–1).", registry=r)
        self.memory_usage = Gauge("galfriday_memory_usage_ratio", "Host memory use (0–1).", registry=r)
        self.event_loop_lag = Gauge(
            "galfriday_event_loop_lag_seconds",
            "Largest event-loop lag seen in the last check interval.",
            registry=r,
        )
        self.market_data_age = Gauge(
            "galfriday_market_data_age_seconds",
            "Time since the pair's last verified book update.",
            ["pair"],
            registry=r,
        )

    def render(self) -> tuple[bytes, str]:
        """The Prometheus text exposition of every family, and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

"""``MetricsRecorder``: bus events in, Prometheus families (``Metrics``) updated.

Plain synchronous handlers, so the same recorder runs on the live bus and in a backtest; each does
a dictionary lookup and an increment or a set, nothing that can block the trading path.

Latencies are derived from the events' own ``ts_init`` stamps (process time, the same clock for
every module), linked the way the kernel links them:
- prediction: a pair's latest ``FeatureVectorComputed`` → the ``PredictionMade`` on it;
- risk check: ``SignalProposed`` → ``SignalApproved``/``SignalRejected`` with the same signal id;
- market data → order: the market-data time a prediction carries (its ``ts_event``) → the first
  ``OrderSubmitted`` with the prediction's correlation id (the strategy passes the prediction's
  ``correlation_id or event_id`` down the chain). Later orders of the same chain (stop-loss,
  take-profit) are not the reaction to market data and are not counted.
Pending links are kept in bounded maps, so chains that never complete cannot grow memory.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from galfriday.core.events import (
    AlertRaised,
    FeatureVectorComputed,
    HaltResumed,
    HaltTriggered,
    HealthChanged,
    MarketDataStale,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderSubmitted,
    PortfolioSnapshotTaken,
    PositionChanged,
    PredictionMade,
    SignalApproved,
    SignalProposed,
    SignalRejected,
    SystemStateChanged,
    TradeClosed,
)
from galfriday.core.types import OrderStatus, SystemState
from galfriday.monitoring.metrics import HEALTH_VALUE, NOT_HALTED, Metrics

NS_PER_S = 1e9
RESTORED_TRIGGER = "restored"  # HALTED at start-up from the journal: no HaltTriggered this run
_STATUS_REACHED: dict[type, str] = {
    OrderAccepted: OrderStatus.NEW.value,
    OrderCanceled: OrderStatus.CANCELED.value,
    OrderExpired: OrderStatus.EXPIRED.value,
    OrderRejected: OrderStatus.REJECTED.value,
}


class _BoundedMap(OrderedDict[str, int]):
    """Insertion-ordered map that forgets its oldest entry beyond ``limit``."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: str, value: int) -> None:
        self[key] = value
        if len(self) > self.limit:
            self.popitem(last=False)


class _Children:
    """``metric.labels(*values)`` memoised: prometheus_client's lookup costs a few µs per call, the
    label values here come from small fixed sets (pairs, statuses, stages). Not for a metric that
    is ``clear()``ed, whose children would be detached."""

    __slots__ = ("_children", "_metric")

    def __init__(self, metric: Any) -> None:
        self._metric = metric
        self._children: dict[tuple[str, ...], Any] = {}

    def __call__(self, *values: str) -> Any:
        child = self._children.get(values)
        if child is None:
            child = self._children[values] = self._metric.labels(*values)
        return child


class _Mean:
    """Sum and count since the last ``take``: one number per ``system_metrics`` point."""

    __slots__ = ("count", "total")

    def __init__(self) -> None:
        self.total = 0.0
        self.count = 0

    def add(self, value: float) -> None:
        self.total += value
        self.count += 1

    def take(self) -> float | None:
        mean = self.total / self.count if self.count else None
        self.total, self.count = 0.0, 0
        return mean


class MetricsRecorder:
    def __init__(self, metrics: Metrics, *, max_pending_links: int = 4096) -> None:
        self._m = metrics
        self._feature_ts: dict[str, int] = {}
        self._origin_ns = _BoundedMap(max_pending_links)  # correlation id → market-data time
        self._proposed_ns = _BoundedMap(max_pending_links)  # signal id → proposal time
        self._prediction_ms = _Mean()
        self._market_to_order_ms = _Mean()
        self._halt_trigger: str | None = None
        self._orders = _Children(metrics.orders)
        self._fills = _Children(metrics.fills)
        self._order_rejects = _Children(metrics.order_rejects)
        self._signals_rejected = _Children(metrics.signals_rejected)
        self._trades_closed = _Children(metrics.trades_closed)
        self._realized = _Children(metrics.realized_pnl)
        self._unrealized = _Children(metrics.unrealized_pnl)
        self._drawdown = _Children(metrics.drawdown)

    def subscriptions(self) -> Iterable[tuple[type, Any]]:
        return (
            (FeatureVectorComputed, self.on_features),
            (PredictionMade, self.on_prediction),
            (SignalProposed, self.on_signal_proposed),
            (SignalApproved, self.on_signal_decided),
            (SignalRejected, self.on_signal_decided),
            (OrderSubmitted, self.on_order_submitted),
            (OrderAccepted, self.on_order_status),
            (OrderCanceled, self.on_order_status),
            (OrderExpired, self.on_order_status),
            (OrderRejected, self.on_order_status),
            (OrderFilled, self.on_order_filled),
            (TradeClosed, self.on_trade_closed),
            (PositionChanged, self.on_position),
            (PortfolioSnapshotTaken, self.on_portfolio_snapshot),
            (HaltTriggered, self.on_halt),
            (HaltResumed, self.on_resumed),
            (SystemStateChanged, self.on_state),
            (MarketDataStale, self.on_stale),
            (HealthChanged, self.on_health),
            (AlertRaised, self.on_alert),
        )

    def attach(self, bus: Any) -> None:
        for event_type, handler in self.subscriptions():
            bus.subscribe(event_type, handler, name=f"metrics.{event_type.__name__}")

    # -- latencies ------------------------------------------------------------------------------

    def on_features(self, event: FeatureVectorComputed) -> None:
        self._feature_ts[event.pair] = event.ts_init

    def on_prediction(self, event: PredictionMade) -> None:
        self._origin_ns.put(event.correlation_id or event.event_id, event.ts_event)
        features_ns = self._feature_ts.pop(event.pair, None)
        if features_ns is not None and event.ts_init >= features_ns:
            seconds = (event.ts_init - features_ns) / NS_PER_S
            self._m.prediction_latency.observe(seconds)
            self._prediction_ms.add(seconds * 1000)

    def on_signal_proposed(self, event: SignalProposed) -> None:
        self._proposed_ns.put(event.signal_id, event.ts_init)

    def on_signal_decided(self, event: SignalApproved | SignalRejected) -> None:
        proposed = self._proposed_ns.pop(event.signal_id, None)
        if proposed is not None and event.ts_init >= proposed:
            self._m.risk_check_latency.observe((event.ts_init - proposed) / NS_PER_S)
        if isinstance(event, SignalRejected):
            self._signals_rejected(event.stage).inc()

    def on_order_submitted(self, event: OrderSubmitted) -> None:
        self._orders(OrderStatus.PENDING_NEW.value).inc()
        origin = self._origin_ns.pop(event.correlation_id, None) if event.correlation_id else None
        if origin is not None and event.ts_init >= origin:
            seconds = (event.ts_init - origin) / NS_PER_S
            self._m.market_data_to_order.observe(seconds)
            self._market_to_order_ms.add(seconds * 1000)

    def take_latency_fields(self) -> dict[str, float]:
        """Mean latencies (ms) since the last call, as ``system_metrics`` fields; absent if none."""
        fields = {
            "prediction_latency_ms": self._prediction_ms.take(),
            "end_to_end_latency_ms": self._market_to_order_ms.take(),
        }
        return {name: value for name, value in fields.items() if value is not None}

    # -- orders and trades ----------------------------------------------------------------------

    def on_order_status(self, event: OrderAccepted | OrderCanceled | OrderExpired | OrderRejected) -> None:
        self._orders(_STATUS_REACHED[type(event)]).inc()
        if isinstance(event, OrderRejected):
            self._order_rejects(event.pair).inc()

    def on_order_filled(self, event: OrderFilled) -> None:
        final = event.leaves_qty == 0
        self._orders((OrderStatus.FILLED if final else OrderStatus.PARTIALLY_FILLED).value).inc()
        self._fills(event.pair, event.side.value, event.liquidity.value).inc()

    def on_trade_closed(self, event: TradeClosed) -> None:
        self._trades_closed(event.pair, event.exit_reason.value).inc()

    # -- portfolio ------------------------------------------------------------------------------

    def on_position(self, event: PositionChanged) -> None:
        self._realized(event.pair).set(float(event.realized_pnl))
        self._unrealized(event.pair).set(float(event.unrealized_pnl))

    def on_portfolio_snapshot(self, event: PortfolioSnapshotTaken) -> None:
        m = self._m
        m.equity.set(float(event.equity))
        m.exposure.set(event.exposure_pct)
        self._drawdown("daily").set(event.daily_drawdown_pct)
        self._drawdown("weekly").set(event.weekly_drawdown_pct)
        self._drawdown("total").set(event.total_drawdown_pct)
        for position in event.positions:
            self._unrealized(position.pair).set(float(position.unrealized_pnl))

    # -- state, HALT, health, alerts ------------------------------------------------------------

    def _set_halted(self, trigger: str | None) -> None:
        self._halt_trigger = trigger
        self._m.halted.clear()
        self._m.halted.labels(trigger or NOT_HALTED).set(0 if trigger is None else 1)

    def on_halt(self, event: HaltTriggered) -> None:
        self._set_halted(event.trigger)
        self._m.halts.labels(event.trigger).inc()

    def on_resumed(self, _: HaltResumed) -> None:
        self._set_halted(None)

    def on_state(self, event: SystemStateChanged) -> None:
        for state in SystemState:
            self._m.system_state.labels(state.value).set(1 if state is event.current else 0)
        # On the live bus this may run before on_halt, which then names the real trigger.
        if event.current is SystemState.HALTED and self._halt_trigger is None:
            self._set_halted(RESTORED_TRIGGER)

    def on_stale(self, event: MarketDataStale) -> None:
        self._m.market_data_stale.labels(event.pair).inc()

    def on_health(self, event: HealthChanged) -> None:
        self._m.health_status.labels(event.component).set(HEALTH_VALUE[event.status])

    def on_alert(self, event: AlertRaised) -> None:
        self._m.alerts_raised.labels(event.severity.value).inc()

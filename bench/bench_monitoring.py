"""Monitoring costs on the trading path: metric updates, a /metrics scrape, alert enqueueing.

Run: python -m bench.bench_monitoring   (prints one line per measurement; copy into docs/benchmarks.md)

What is counted (each the best of 5 runs, wall time, one thread):
- Metrics update cost per event: ``MetricsRecorder`` handler calls, made directly as the bus
  would, for a fill, a portfolio snapshot with two positions, a feature vector followed by the
  prediction on it (observes the prediction latency; two handler calls) and an order submission
  closing its market-data link (observes the market data → order latency).
- StatsPoller poll: rebuilding the pulled families from ``bus.stats()`` with 60 subscriptions,
  an ingestor-like source with two pairs, two circuit breakers and two WebSocket feeds.
- /metrics scrape: ``generate_latest`` of the whole registry after a session's worth of samples
  (the body a scrape returns; its size is printed), and the same through the FastAPI route
  in-process (ASGI, no socket).
- Alert enqueue: ``AlertManager.submit`` with five channels, distinct alerts (each fanned out to
  five queues) and repeats (refused by de-duplication); the workers are not running, so only
  the caller's cost is measured.
"""

from __future__ import annotations

import asyncio
import os
import platform
import time
from collections.abc import Callable
from decimal import Decimal

import httpx
from pydantic import SecretStr

from galfriday.app.api import ApiDeps, create_api
from galfriday.core.bus import AsyncBus
from galfriday.core.events import (
    FeatureVectorComputed,
    OrderFilled,
    OrderSubmitted,
    PortfolioSnapshotTaken,
    PositionSnapshot,
    PredictionMade,
    TimeEvent,
)
from galfriday.core.types import AlertSeverity, LiquiditySide, OrderType, Side
from galfriday.kraken.circuit_breaker import CircuitBreaker
from galfriday.monitoring import Metrics, MetricsRecorder, StatsPoller
from galfriday.monitoring.alerting import Alert, AlertManager

D = Decimal
T = 1_700_000_000_000_000_000


def best_us_per_call(fn: Callable[[int], None], n: int) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        fn(n)
        best = min(best, (time.perf_counter() - start) / n * 1e6)
    return best


def bench_recorder() -> dict[str, float]:
    recorder = MetricsRecorder(Metrics())
    fill = OrderFilled(
        ts_event=T,
        ts_init=T,
        client_order_id="o",
        exchange_order_id="x",
        fill_id="f",
        pair="XRP/USD",
        side=Side.BUY,
        qty=D(10),
        price=D("0.5"),
        fee=D("0.01"),
        fee_currency="USD",
        liquidity=LiquiditySide.MAKER,
        cum_qty=D(10),
        leaves_qty=D(0),
    )
    features = FeatureVectorComputed(
        ts_event=T, ts_init=T, pair="XRP/USD", feature_set_id="fs", names=("a",), values=(1.0,)
    )
    positions = tuple(
        PositionSnapshot(pair=p, qty=D(100), avg_price=D("0.5"), market_price=D("0.51"), unrealized_pnl=D(1))
        for p in ("XRP/USD", "DOGE/USD")
    )
    snapshot = PortfolioSnapshotTaken(
        ts_event=T,
        ts_init=T,
        equity=D(10_000),
        cash=D(9_000),
        available_balance=D(9_000),
        exposure_pct=0.1,
        daily_drawdown_pct=0.01,
        weekly_drawdown_pct=0.02,
        total_drawdown_pct=0.03,
        positions=positions,
    )
    predictions = [
        PredictionMade(
            ts_event=T,
            ts_init=T + 1000,
            correlation_id=f"c{i}",
            pair="XRP/USD",
            model_id="m",
            prediction_target="up",
            p_up=0.7,
        )
        for i in range(4096)
    ]
    orders = [
        OrderSubmitted(
            ts_event=T,
            ts_init=T + 5000,
            correlation_id=f"c{i}",
            client_order_id=f"o{i}",
            pair="XRP/USD",
            side=Side.BUY,
            order_type=OrderType.LIMIT,
            qty=D(10),
        )
        for i in range(4096)
    ]

    def fills(n: int) -> None:
        for _ in range(n):
            recorder.on_order_filled(fill)

    def snapshots(n: int) -> None:
        for _ in range(n):
            recorder.on_portfolio_snapshot(snapshot)

    def features_then_prediction(n: int) -> None:
        for event in predictions[:n]:
            recorder.on_features(features)
            recorder.on_prediction(event)

    def submitted_with_link() -> float:
        """µs per OrderSubmitted closing a pending prediction link (the links are made untimed)."""
        best = float("inf")
        for _ in range(5):
            for event in predictions:
                recorder.on_prediction(event)
            start = time.perf_counter()
            for event in orders:
                recorder.on_order_submitted(event)
            best = min(best, (time.perf_counter() - start) / len(orders) * 1e6)
        return best

    return {
        "OrderFilled": best_us_per_call(fills, 100_000),
        "PortfolioSnapshotTaken (2 positions)": best_us_per_call(snapshots, 50_000),
        "FeatureVectorComputed + PredictionMade (prediction latency)": best_us_per_call(
            features_then_prediction, len(predictions)
        ),
        "OrderSubmitted (market data → order latency)": submitted_with_link(),
    }


class _Ingestor:
    def stats(self) -> dict[str, int]:
        return {"checksum_mismatches": 3, "checksum_mismatches.XRP/USD": 1, "checksum_mismatches.DOGE/USD": 2}


class _Feed:
    connected = True

    def stats(self) -> dict[str, int]:
        return {"reconnects": 2}


def populated() -> tuple[Metrics, StatsPoller]:
    metrics = Metrics()
    bus = AsyncBus()
    for i in range(60):
        sub = bus.subscribe(TimeEvent, lambda e: None, name=f"subscriber.{i}")
        for ns in range(1000, 5000, 7):
            sub.stats.handler_ns.add(ns)
            sub.stats.delivery_ns.add(ns * 2)
    poller = StatsPoller(
        metrics,
        bus=bus,
        ingestor=_Ingestor(),
        breakers=[CircuitBreaker("rest"), CircuitBreaker("ws")],
        ws_feeds={"public": _Feed(), "private": _Feed()},
    )
    poller.poll()
    for latency in range(1, 2000):
        metrics.market_data_to_order.observe(latency / 1e5)
        metrics.prediction_latency.observe(latency / 1e6)
        metrics.risk_check_latency.observe(latency / 1e7)
    for pair in ("XRP/USD", "DOGE/USD"):
        metrics.market_data_age.labels(pair).set(1.0)
        for status in ("NEW", "FILLED", "CANCELED", "REJECTED", "PENDING_NEW", "PARTIALLY_FILLED"):
            metrics.orders.labels(status).inc()
    return metrics, poller


def bench_scrape() -> tuple[float, float, float, int]:
    metrics, poller = populated()
    poll_us = best_us_per_call(lambda n: [poller.poll() for _ in range(n)], 200)
    render_us = best_us_per_call(lambda n: [metrics.render() for _ in range(n)], 200)
    size = len(metrics.render()[0])

    # Only /metrics is called: the other dependencies are never touched.
    app = create_api(ApiDeps(None, None, None, metrics.registry, None), api_key=SecretStr("bench"))  # type: ignore[arg-type]

    async def over_asgi(n: int) -> float:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            best = float("inf")
            for _ in range(5):
                start = time.perf_counter()
                for _ in range(n):
                    (await client.get("/metrics")).raise_for_status()
                best = min(best, (time.perf_counter() - start) / n * 1e6)
        return best

    route_us = asyncio.run(over_asgi(100))
    return poll_us, render_us, route_us, size


def bench_alert_enqueue() -> tuple[float, float]:
    class Sink:
        def __init__(self, name: str) -> None:
            self.name = name

        async def send(self, alert: Alert) -> None:
            return None

        async def close(self) -> None:
            return None

    alerts = [Alert(AlertSeverity.WARNING, f"alert {i}", "message", "bench", T) for i in range(100_000)]

    def distinct(n: int) -> None:
        manager = AlertManager([Sink(f"c{i}") for i in range(5)], queue_size=n, dedupe_window_s=300)
        for alert in alerts[:n]:
            manager.submit(alert)

    repeated_manager = AlertManager([Sink(f"c{i}") for i in range(5)], queue_size=10, dedupe_window_s=300)
    same = alerts[0]

    def repeated(n: int) -> None:
        for _ in range(n):
            repeated_manager.submit(same)

    return best_us_per_call(distinct, 50_000), best_us_per_call(repeated, 100_000)


def main() -> None:
    print(
        f"# monitoring benchmark — {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cpu, {platform.processor() or platform.machine()}"
    )
    for kind, us in bench_recorder().items():
        print(f"metrics update per event, {kind}: {us:.2f} µs")
    poll_us, render_us, route_us, size = bench_scrape()
    print(f"StatsPoller.poll (60 subscriptions, 2 pairs, 2 breakers, 2 feeds): {poll_us:.0f} µs")
    print(f"/metrics scrape, generate_latest of the registry ({size:,} bytes): {render_us:.0f} µs")
    print(f"/metrics scrape through the FastAPI route in-process (ASGI, no socket): {route_us:.0f} µs")
    distinct, repeated = bench_alert_enqueue()
    print(f"alert enqueue, 5 channels, distinct alerts: {distinct:.2f} µs per submit")
    print(f"alert enqueue, 5 channels, repeats refused by de-duplication: {repeated:.2f} µs per submit")


if __name__ == "__main__":
    main()

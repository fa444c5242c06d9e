"""``StatsPoller``: copy other components' ``stats()`` into metric families on a Clock timer.

The bus, the ingestor, circuit breakers and WebSocket clients keep their own counters; they are
not thread-safe and reading some of them (``bus.stats()``) updates internal state. So they are
read here, on the event loop, on a timer — never from a scrape, which may come from another
thread (``prometheus_client``'s HTTP server). Each poll builds fresh metric families and swaps
them in with one reference assignment; a scrape only ever reads a complete, consistent set.
Cumulative counters are exported as they are (the components count since they started), so a
subscription or pair that disappears simply stops being exported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from galfriday.core.clock import NS_PER_S, Clock
from galfriday.kraken.circuit_breaker import CircuitBreaker, CircuitState
from galfriday.monitoring.metrics import Metrics

TIMER_NAME = "monitoring.stats"
_QUANTILES = (("0.5", "p50"), ("0.99", "p99"))
_CHECKSUM_PREFIX = "checksum_mismatches."


class StatsSource(Protocol):
    def stats(self) -> Any: ...


class WsFeed(Protocol):
    @property
    def connected(self) -> bool: ...

    def stats(self) -> Mapping[str, int]: ...


class StatsPoller:
    """Pull-based metrics; register once, then ``poll()`` (or ``start`` a timer that does)."""

    def __init__(
        self,
        metrics: Metrics,
        *,
        bus: StatsSource | None = None,
        ingestor: StatsSource | None = None,
        breakers: Sequence[CircuitBreaker] = (),
        ws_feeds: Mapping[str, WsFeed] | None = None,
    ) -> None:
        self._bus = bus
        self._ingestor = ingestor
        self._breakers = tuple(breakers)
        self._ws_feeds = dict(ws_feeds or {})
        self._families: list[Metric] = []
        self._queue_depth_total = 0
        self._clock: Clock | None = None
        metrics.registry.register(self)

    # -- prometheus_client collector protocol (called from the scraping thread) -----------------

    def collect(self) -> Iterator[Metric]:
        return iter(self._families)

    def describe(self) -> Iterator[Metric]:
        return iter(self._build())

    # -- polling (event-loop thread) ------------------------------------------------------------

    def start(self, clock: Clock, interval_s: float = 5.0) -> None:
        self.poll()
        self._clock = clock
        clock.set_timer(TIMER_NAME, int(interval_s * NS_PER_S), lambda _: self.poll())

    def stop(self) -> None:
        if self._clock is not None:
            self._clock.cancel_timer(TIMER_NAME)
            self._clock = None

    def poll(self) -> None:
        self._families = self._build()

    def _build(self) -> list[Metric]:
        families: list[Metric] = []
        families.extend(self._bus_families())
        families.extend(self._ingestor_families())
        families.extend(self._breaker_families())
        families.extend(self._ws_families())
        return families

    def system_fields(self) -> dict[str, int | float | bool]:
        """``system_metrics`` fields known from the last poll: queue depth, WS and API health."""
        fields: dict[str, int | float | bool] = {}
        if self._bus is not None:
            fields["event_queue_depth"] = self._queue_depth_total
        if self._ws_feeds:
            fields["websocket_connected"] = all(feed.connected for feed in self._ws_feeds.values())
        if self._breakers:
            fields["api_error_rate"] = sum(api_errors_per_minute(b) for b in self._breakers)
        return fields

    def _bus_families(self) -> Iterable[Metric]:
        labels = ["subscription", "event_type"]
        depth = GaugeMetricFamily(
            "galfriday_bus_queue_depth", "Events waiting in a subscriber's queue.", labels=labels
        )
        dropped = CounterMetricFamily(
            "galfriday_bus_events_dropped",
            "Events dropped because a subscriber's queue was full.",
            labels=labels,
        )
        errors = CounterMetricFamily("galfriday_bus_handler_errors", "Handler exceptions.", labels=labels)
        handler = GaugeMetricFamily(
            "galfriday_bus_handler_latency_seconds",
            "Handler run time over the bus's recent samples (the bus keeps percentiles, not buckets).",
            labels=[*labels, "quantile"],
        )
        delivery = GaugeMetricFamily(
            "galfriday_bus_delivery_latency_seconds",
            "Publish → handler start over the bus's recent samples.",
            labels=[*labels, "quantile"],
        )
        total_depth = 0
        for sub in self._bus.stats() if self._bus is not None else ():
            key = [str(sub["name"]), str(sub["event_type"])]
            total_depth += int(sub["queue_depth"])
            depth.add_metric(key, int(sub["queue_depth"]))
            dropped.add_metric(key, int(sub["dropped"]))
            errors.add_metric(key, int(sub["errors"]))
            for quantile, suffix in _QUANTILES:
                for family, prefix in ((handler, "handler"), (delivery, "delivery")):
                    value_us = sub.get(f"{prefix}_{suffix}_us")
                    if value_us is not None:
                        family.add_metric([*key, quantile], float(value_us) / 1e6)
        self._queue_depth_total = total_depth
        return depth, dropped, errors, handler, delivery

    def _ingestor_families(self) -> Iterable[Metric]:
        checksum = CounterMetricFamily(
            "galfriday_book_checksum_failures", "Order-book checksum mismatches, by pair.", labels=["pair"]
        )
        stats: Mapping[str, int] = self._ingestor.stats() if self._ingestor is not None else {}
        for key, value in stats.items():
            if key.startswith(_CHECKSUM_PREFIX):
                checksum.add_metric([key.removeprefix(_CHECKSUM_PREFIX)], value)
        return (checksum,)

    def _breaker_families(self) -> Iterable[Metric]:
        errors = CounterMetricFamily("galfriday_api_errors", "Failed exchange API calls.", labels=["api"])
        rejected = CounterMetricFamily(
            "galfriday_api_calls_rejected", "Calls not sent because the circuit was open.", labels=["api"]
        )
        state = GaugeMetricFamily(
            "galfriday_circuit_breaker_state", "1 for the breaker's current state.", labels=["api", "state"]
        )
        for breaker in self._breakers:
            stats = breaker.stats()
            errors.add_metric([stats.name], stats.total_failures)
            rejected.add_metric([stats.name], stats.rejected_calls)
            for candidate in CircuitState:
                state.add_metric([stats.name, candidate.value], 1 if candidate is stats.state else 0)
        return errors, rejected, state

    def _ws_families(self) -> Iterable[Metric]:
        connected = GaugeMetricFamily(
            "galfriday_ws_connected", "1 while the WebSocket is open.", labels=["feed"]
        )
        reconnects = CounterMetricFamily(
            "galfriday_ws_reconnects", "WebSocket reconnections.", labels=["feed"]
        )
        for name, feed in self._ws_feeds.items():
            connected.add_metric([name], 1 if feed.connected else 0)
            reconnects.add_metric([name], feed.stats().get("reconnects", 0))
        return connected, reconnects


def api_errors_per_minute(breaker: CircuitBreaker) -> float:
    """Failures in the breaker's window, scaled to a per-minute rate."""
    stats = breaker.stats()
    return stats.failures_in_window * 60.0 / breaker.window_s

"""StatsPoller: components' own counters become metric families on a Clock timer, never on a scrape."""

from __future__ import annotations

from decimal import Decimal as D

from prometheus_client.parser import text_string_to_metric_families

from galfriday.core.bus import AsyncBus, SyncBus
from galfriday.core.clock import NS_PER_S, SimClock
from galfriday.core.events import TimeEvent
from galfriday.core.instruments import default_instruments
from galfriday.kraken.circuit_breaker import CircuitBreaker
from galfriday.kraken.ws_schemas import BookMessage, BookUpdate
from galfriday.marketdata.ingestor import DataIngestor
from galfriday.monitoring import Metrics, StatsPoller

T = 1_700_000_000 * NS_PER_S


class FakeFeed:
    def __init__(self, connected: bool, reconnects: int) -> None:
        self.connected = connected
        self._reconnects = reconnects

    def stats(self) -> dict[str, int]:
        return {"reconnects": self._reconnects, "frames": 10}


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = metrics.render()[0].decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def event(i: int) -> TimeEvent:
    return TimeEvent(ts_event=i, ts_init=i, name="tick")


async def test_bus_queue_depth_drops_errors_and_latencies() -> None:
    metrics = Metrics()
    bus = AsyncBus()
    handled: list[TimeEvent] = []

    def failing(e: TimeEvent) -> None:
        raise RuntimeError("boom")

    bus.subscribe(TimeEvent, handled.append, name="ok")
    bus.subscribe(TimeEvent, failing, name="failing")
    bus.subscribe(TimeEvent, handled.append, name="slow", maxsize=2)
    poller = StatsPoller(metrics, bus=bus)
    for i in range(3):
        bus.publish(event(i))  # not started yet: everything waits in the queues

    poller.poll()
    got = samples(metrics)
    assert got[("galfriday_bus_queue_depth", (("event_type", "TimeEvent"), ("subscription", "ok")))] == 3
    assert got[("galfriday_bus_queue_depth", (("event_type", "TimeEvent"), ("subscription", "slow")))] == 2
    assert (
        got[("galfriday_bus_events_dropped_total", (("event_type", "TimeEvent"), ("subscription", "slow")))]
        == 1
    )
    assert poller.system_fields() == {"event_queue_depth": 8}

    await bus.start()
    await bus.stop()
    poller.poll()
    got = samples(metrics)
    assert got[("galfriday_bus_queue_depth", (("event_type", "TimeEvent"), ("subscription", "ok")))] == 0
    assert (
        got[
            ("galfriday_bus_handler_errors_total", (("event_type", "TimeEvent"), ("subscription", "failing")))
        ]
        == 3
    )
    key = (("event_type", "TimeEvent"), ("quantile", "0.99"), ("subscription", "ok"))
    assert got[("galfriday_bus_handler_latency_seconds", key)] > 0
    assert got[("galfriday_bus_delivery_latency_seconds", key)] > 0


def test_checksum_failures_from_the_real_ingestor() -> None:
    metrics = Metrics()
    clock = SimClock(T)
    ingestor = DataIngestor(SyncBus(), clock, ["XRP/USD", "DOGE/USD"], instruments=default_instruments())
    bad = BookUpdate(
        symbol="XRP/USD", bids=[(D("0.5"), D("100"))], asks=[(D("0.51"), D("100"))], checksum=1, ts_ns=None
    )
    ingestor.on_message(BookMessage(True, (bad,)))
    StatsPoller(metrics, ingestor=ingestor).poll()

    got = samples(metrics)
    assert got[("galfriday_book_checksum_failures_total", (("pair", "XRP/USD"),))] == 1
    assert got[("galfriday_book_checksum_failures_total", (("pair", "DOGE/USD"),))] == 0


def test_circuit_breakers_and_websocket_feeds() -> None:
    now = [0.0]
    breaker = CircuitBreaker("kraken-private", max_consecutive_failures=3, window_s=60, now=lambda: now[0])
    for _ in range(3):
        breaker.record_failure()
    metrics = Metrics()
    poller = StatsPoller(
        metrics, breakers=[breaker], ws_feeds={"public": FakeFeed(True, 2), "private": FakeFeed(False, 5)}
    )
    poller.poll()

    got = samples(metrics)
    assert got[("galfriday_api_errors_total", (("api", "kraken-private"),))] == 3
    assert got[("galfriday_circuit_breaker_state", (("api", "kraken-private"), ("state", "open")))] == 1
    assert got[("galfriday_circuit_breaker_state", (("api", "kraken-private"), ("state", "closed")))] == 0
    assert got[("galfriday_ws_connected", (("feed", "public"),))] == 1
    assert got[("galfriday_ws_connected", (("feed", "private"),))] == 0
    assert got[("galfriday_ws_reconnects_total", (("feed", "private"),))] == 5
    assert poller.system_fields() == {"websocket_connected": False, "api_error_rate": 3.0}


def test_polls_on_the_clock_timer_and_a_scrape_reads_only_the_last_poll() -> None:
    metrics = Metrics()
    clock = SimClock(T)
    bus = AsyncBus()
    bus.subscribe(TimeEvent, lambda e: None, name="sub")
    poller = StatsPoller(metrics, bus=bus)
    poller.start(clock, interval_s=5)
    key = ("galfriday_bus_queue_depth", (("event_type", "TimeEvent"), ("subscription", "sub")))
    assert samples(metrics)[key] == 0

    bus.publish(event(1))
    assert samples(metrics)[key] == 0  # scraping did not read the bus
    clock.advance_to(T + 5 * NS_PER_S)
    assert samples(metrics)[key] == 1

    poller.stop()
    bus.publish(event(2))
    clock.advance_to(T + 10 * NS_PER_S)
    assert samples(metrics)[key] == 1 and clock.timer_names == []

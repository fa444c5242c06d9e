"""HealthRegistry and the readiness checks: statuses, readiness, transitions as HealthChanged."""

from __future__ import annotations

from galfriday.core.bus import SyncBus
from galfriday.core.clock import NS_PER_S, SimClock
from galfriday.core.events import HealthChanged
from galfriday.core.types import HaltBehaviour, HealthStatus
from galfriday.kraken.circuit_breaker import CircuitBreaker
from galfriday.monitoring import (
    CheckResult,
    HealthRegistry,
    MarketDataFreshness,
    api_check,
    halt_check,
    market_data_check,
)
from galfriday.risk.halt_record import HaltRecord
from tests.unit.portfolio._kit import Recorder, book
from tests.unit.risk._fakes import FakeHalt

T = 1_700_000_000 * NS_PER_S


def registry() -> tuple[HealthRegistry, Recorder, SimClock]:
    clock = SimClock(T)
    bus = SyncBus()
    return HealthRegistry(clock, bus.publish), Recorder(bus), clock


def test_ready_needs_every_critical_check_ok_but_ignores_non_critical_ones() -> None:
    health, _, _ = registry()
    status = {"db": CheckResult.ok(), "cpu": CheckResult.degraded("busy")}
    health.register("db", lambda: status["db"])
    health.register("cpu", lambda: status["cpu"], critical=False)

    report = health.evaluate()
    assert report.ready is True
    assert [(c.name, c.critical, c.status) for c in report.components] == [
        ("db", True, HealthStatus.OK),
        ("cpu", False, HealthStatus.DEGRADED),
    ]

    status["db"] = CheckResult.degraded("slow")
    assert health.evaluate().ready is False


def test_transitions_are_published_once_each() -> None:
    health, recorder, _ = registry()
    result = {"now": CheckResult.ok("fine")}
    health.register("api", lambda: result["now"])

    health.evaluate()  # OK from the start: nothing to say
    result["now"] = CheckResult.failed("circuit open")
    health.evaluate()
    health.evaluate()  # still failed: no repeat
    result["now"] = CheckResult.ok("closed again")
    health.evaluate()

    assert [(e.component, e.status, e.detail) for e in recorder.of(HealthChanged)] == [
        ("api", HealthStatus.FAILED, "circuit open"),
        ("api", HealthStatus.OK, "closed again"),
    ]


def test_a_check_that_raises_is_failed() -> None:
    health, _, _ = registry()

    def broken() -> CheckResult:
        raise KeyError("oops")

    health.register("broken", broken)

    (component,) = health.evaluate().components
    assert component.status is HealthStatus.FAILED and "KeyError" in component.detail


def test_market_data_check_counts_from_start_and_per_pair() -> None:
    clock = SimClock(T)
    freshness = MarketDataFreshness(clock, ["XRP/USD", "DOGE/USD"])
    check = market_data_check(freshness, stale_after_s=60)
    assert check().status is HealthStatus.OK

    clock.advance_to(T + 59 * NS_PER_S)
    freshness.on_book(book("XRP/USD", "0.5", "0.51", ts=clock.timestamp_ns()))
    clock.advance_to(T + 60 * NS_PER_S)

    result = check()
    assert result.status is HealthStatus.FAILED
    assert "DOGE/USD 60s" in result.detail and "XRP/USD" not in result.detail


def test_api_check_follows_the_circuit_and_the_exchange_status() -> None:
    now = [0.0]
    breaker = CircuitBreaker("rest", max_consecutive_failures=2, cool_down_s=30, now=lambda: now[0])
    status = {"value": "online"}
    check = api_check([breaker], lambda: status["value"])
    assert check().status is HealthStatus.OK

    breaker.record_failure()
    breaker.record_failure()
    assert check().status is HealthStatus.FAILED and "circuit open" in check().detail
    now[0] = 31.0
    assert check().status is HealthStatus.DEGRADED  # half-open: probing
    breaker.record_success()
    assert check().status is HealthStatus.OK

    status["value"] = "post_only"
    assert check().status is HealthStatus.DEGRADED
    status["value"] = "maintenance"
    assert check().status is HealthStatus.FAILED


def test_api_check_degrades_as_errors_approach_the_circuits_limit() -> None:
    now = [0.0]
    breaker = CircuitBreaker(
        "rest", max_consecutive_failures=99, max_failures_in_window=10, now=lambda: now[0]
    )
    check = api_check([breaker])
    for _ in range(4):
        breaker.record_failure()
        breaker.record_success()
    assert check().status is HealthStatus.OK

    breaker.record_failure()

    assert check().status is HealthStatus.DEGRADED and "5 failures in the last 60s" in check().detail
    now[0] = 61.0  # the window moved on
    assert check().status is HealthStatus.OK


def test_halt_check_fails_only_for_a_halt_caused_by_a_failure() -> None:
    halt = FakeHalt()
    check = halt_check(halt)
    assert check() == CheckResult.ok("trading")

    halt.current = HaltRecord("h1", "daily_drawdown", "2.1%", HaltBehaviour.CLOSE, T)
    assert check().status is HealthStatus.OK and "daily_drawdown" in check().detail

    for trigger in ("module_failure", "api_errors", "order_failures", "stale_market_data"):
        halt.current = HaltRecord("h2", trigger, "broken", HaltBehaviour.CLOSE, T)
        assert check().status is HealthStatus.FAILED

"""The readiness checks a trading session registers: market data, exchange API and HALT state.

Each is a factory returning a ``HealthCheck`` closure over what it reads, so the runtime composes
them from whatever objects it has (and tests from fakes). The database check lives in
``db_probe`` because it needs a background ping.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from galfriday.core.types import HealthStatus
from galfriday.kraken.circuit_breaker import CircuitBreaker, CircuitState
from galfriday.monitoring.freshness import MarketDataFreshness
from galfriday.monitoring.health import CheckResult, HealthCheck
from galfriday.risk.halt_record import HaltRecord

#: HALT triggers that mean something is broken (as opposed to a limit or a person deciding to stop).
FAILURE_TRIGGERS = frozenset({"module_failure", "api_errors", "order_failures", "stale_market_data"})

#: Kraken system statuses in which no order can be placed.
_NO_TRADING = frozenset({"maintenance", "cancel_only"})
_TRADING = frozenset({"online", "unknown"})  # "unknown": no status message received yet


class HaltState(Protocol):
    @property
    def current(self) -> HaltRecord | None: ...


def market_data_check(freshness: MarketDataFreshness, stale_after_s: float) -> HealthCheck:
    """FAILED while any pair has had no verified book update for ``stale_after_s``."""

    def check() -> CheckResult:
        ages = freshness.ages_s()
        stale = {pair: age for pair, age in ages.items() if age >= stale_after_s}
        if stale:
            listed = ", ".join(f"{pair} {age:.0f}s" for pair, age in sorted(stale.items()))
            return CheckResult.failed(
                f"no verified book update for {listed} (limit {stale_after_s:.0f}s): check the WebSocket "
                "feed and Kraken's status"
            )
        return CheckResult.ok(", ".join(f"{pair} {age:.1f}s" for pair, age in ages.items()))

    return check


def api_check(
    breakers: Sequence[CircuitBreaker], exchange_status: Callable[[], str] | None = None
) -> HealthCheck:
    """FAILED with an open circuit or an exchange that takes no orders; DEGRADED while the circuit
    probes, while errors reach half of what opens it, or when the exchange limits trading."""

    def check() -> CheckResult:
        problems: list[CheckResult] = []
        for breaker in breakers:
            stats = breaker.stats()
            if stats.state is CircuitState.OPEN:
                problems.append(
                    CheckResult.failed(
                        f"{stats.name}: circuit open after {stats.consecutive_failures} consecutive / "
                        f"{stats.failures_in_window} recent failures; calls are not sent"
                    )
                )
            elif stats.state is CircuitState.HALF_OPEN:
                problems.append(CheckResult.degraded(f"{stats.name}: circuit half-open, probing the API"))
            elif 2 * stats.failures_in_window >= breaker.max_failures_in_window:
                problems.append(
                    CheckResult.degraded(
                        f"{stats.name}: {stats.failures_in_window} failures in the last "
                        f"{breaker.window_s:.0f}s (the circuit opens at {breaker.max_failures_in_window})"
                    )
                )
        status = exchange_status() if exchange_status is not None else "unknown"
        if status in _NO_TRADING:
            problems.append(
                CheckResult.failed(f"Kraken reports system status {status!r}: no orders possible")
            )
        elif status not in _TRADING:
            problems.append(CheckResult.degraded(f"Kraken reports system status {status!r}"))
        if not problems:
            return CheckResult.ok(f"{len(breakers)} circuit(s) closed, exchange {status}")
        failed = any(p.status is HealthStatus.FAILED for p in problems)
        return CheckResult(
            HealthStatus.FAILED if failed else HealthStatus.DEGRADED, "; ".join(p.detail for p in problems)
        )

    return check


def halt_check(halt: HaltState) -> HealthCheck:
    """FAILED while HALTED by a failure; a HALT by a risk limit or a person is a decision, not a
    fault, so it is reported in the detail but leaves the check OK."""

    def check() -> CheckResult:
        record = halt.current
        if record is None:
            return CheckResult.ok("trading")
        text = f"HALTED by {record.trigger}: {record.reason}"
        if record.trigger in FAILURE_TRIGGERS:
            return CheckResult.failed(f"{text}; fix the cause, then complete the recovery checklist")
        return CheckResult.ok(f"{text} (not a failure)")

    return check

"""Health: registered checks, each OK / DEGRADED / FAILED with a detail, and readiness from them.

Liveness (``/health/live``) only says the process answers. Readiness (``/health/ready``) says it
can trade: every *critical* check is OK. Non-critical checks are reported but never make the
system unready.

Checks are plain synchronous functions reading in-memory state (I/O such as a database ping runs
in the background, see ``db_probe``), so evaluating all of them is cheap enough for every request
and every timer tick. A check that raises counts as FAILED — a broken check must not look
healthy. Each transition of a component's status is published as ``HealthChanged`` (a component
is assumed OK until its first evaluation, so start-up publishes only what is not OK).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from galfriday.core.clock import Clock
from galfriday.core.events import HealthChanged
from galfriday.core.types import HealthStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CheckResult:
    status: HealthStatus
    detail: str = ""

    @classmethod
    def ok(cls, detail: str = "") -> CheckResult:
        return cls(HealthStatus.OK, detail)

    @classmethod
    def degraded(cls, detail: str) -> CheckResult:
        return cls(HealthStatus.DEGRADED, detail)

    @classmethod
    def failed(cls, detail: str) -> CheckResult:
        return cls(HealthStatus.FAILED, detail)


HealthCheck = Callable[[], CheckResult]


@dataclass(frozen=True, slots=True)
class ComponentHealth:
    name: str
    critical: bool
    status: HealthStatus
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "critical": self.critical,
            "status": self.status.value,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class HealthReport:
    ready: bool
    components: tuple[ComponentHealth, ...]

    def to_json(self) -> dict[str, Any]:
        return {"ready": self.ready, "components": [c.to_json() for c in self.components]}


class HealthRegistry:
    def __init__(self, clock: Clock, publish: Callable[[HealthChanged], None] | None = None) -> None:
        self._clock = clock
        self._publish = publish
        self._checks: dict[str, tuple[HealthCheck, bool]] = {}
        self._last: dict[str, HealthStatus] = {}

    def register(self, name: str, check: HealthCheck, *, critical: bool = True) -> None:
        if name in self._checks:
            raise ValueError(f"a health check named {name!r} is already registered")
        self._checks[name] = (check, critical)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._checks)

    def evaluate(self) -> HealthReport:
        """Run every check, publish the transitions, and say whether the system is ready."""
        components = tuple(
            self._run(name, check, critical) for name, (check, critical) in self._checks.items()
        )
        for component in components:
            previous = self._last.get(component.name, HealthStatus.OK)
            self._last[component.name] = component.status
            if component.status is not previous:
                self._changed(component, previous)
        ready = all(c.status is HealthStatus.OK for c in components if c.critical)
        return HealthReport(ready, components)

    @staticmethod
    def _run(name: str, check: HealthCheck, critical: bool) -> ComponentHealth:
        try:
            result = check()
        except Exception as exc:
            logger.exception("health check %s raised; reporting it FAILED", name)
            result = CheckResult.failed(f"the check itself failed ({type(exc).__name__}); see the log")
        return ComponentHealth(name, critical, result.status, result.detail)

    def _changed(self, component: ComponentHealth, previous: HealthStatus) -> None:
        log = logger.info if component.status is HealthStatus.OK else logger.warning
        log("health %s: %s -> %s: %s", component.name, previous, component.status, component.detail)
        if self._publish is not None:
            now = self._clock.timestamp_ns()
            self._publish(
                HealthChanged(
                    ts_event=now,
                    ts_init=now,
                    component=component.name,
                    status=component.status,
                    detail=component.detail,
                )
            )

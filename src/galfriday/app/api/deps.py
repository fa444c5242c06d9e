"""What the control API needs from a running session: five small read/act interfaces.

The API is built from these alone, so it runs against a real session or against fakes in tests.
Every route is ``async def`` and therefore runs on the event loop, the thread that owns this
state; the objects behind the interfaces need no locking (serve the app with ``ApiServer`` or
any server on the session's own loop).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from prometheus_client import CollectorRegistry

from galfriday.core.events import PortfolioSnapshotTaken
from galfriday.monitoring.health import HealthReport
from galfriday.monitoring.session_status import RuntimeStatus
from galfriday.risk.halt_record import HaltRecord


class StatusProvider(Protocol):
    """Mode, state, uptime, open orders, session P&L (``SessionStatus``)."""

    def snapshot(self) -> RuntimeStatus: ...


class HaltControl(Protocol):
    """The latched HALT and its recovery (``HaltCoordinator``)."""

    @property
    def current(self) -> HaltRecord | None: ...

    def halt(self, reason: str, by: str) -> None: ...

    def complete_checklist_item(self, item: str, by: str, note: str = "") -> tuple[str, ...]: ...

    def resume(self, by: str) -> HaltRecord: ...


class PortfolioReader(Protocol):
    """Equity, drawdowns and positions right now (``PortfolioManager``)."""

    def snapshot(self) -> PortfolioSnapshotTaken: ...


class HealthReader(Protocol):
    """Readiness from the registered checks (``HealthRegistry``)."""

    def evaluate(self) -> HealthReport: ...


@dataclass(frozen=True, slots=True)
class ApiDeps:
    status: StatusProvider
    halt: HaltControl
    portfolio: PortfolioReader
    metrics: CollectorRegistry
    health: HealthReader

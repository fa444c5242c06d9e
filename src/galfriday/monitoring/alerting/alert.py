"""``Alert``: what the notification channels deliver, and how bus events become alerts.

One value type for every channel keeps the channels to formatting and transport. The severity
order includes the configuration's ``ERROR`` (``alerting.min_severity`` accepts it) between
WARNING and CRITICAL, although the bus itself raises only INFO, WARNING and CRITICAL.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from galfriday.core.events import AlertRaised, Event, HaltResumed, HaltTriggered, HealthChanged
from galfriday.core.types import AlertSeverity, HealthStatus

SEVERITY_RANK = {"INFO": 0, "WARNING": 1, "ERROR": 2, "CRITICAL": 3}


def severity_rank(severity: str) -> int:
    try:
        return SEVERITY_RANK[str(severity).upper()]
    except KeyError:
        raise ValueError(
            f"unknown alert severity {severity!r}; use one of {', '.join(SEVERITY_RANK)}"
        ) from None


@dataclass(frozen=True, slots=True)
class Alert:
    severity: AlertSeverity
    title: str
    message: str
    source: str = ""
    ts_ns: int = 0
    repeats: int = 0  # > 0: a summary standing for this many suppressed repetitions

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two alerts "the same" for de-duplication: the numbers in a message vary."""
        return (self.severity.value, self.source, self.title)

    @property
    def when(self) -> datetime:
        return datetime.fromtimestamp(self.ts_ns / 1e9, UTC)

    def with_note(self, note: str) -> Alert:
        return replace(self, message=f"{self.message} [{note}]")

    def one_line(self) -> str:
        return f"[{self.severity.value}] {self.title}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "title": self.title,
            "message": self.message,
            "source": self.source,
            "ts_ns": self.ts_ns,
            "time": self.when.isoformat(),
            "repeats": self.repeats,
        }


_HEALTH_SEVERITY = {
    HealthStatus.FAILED: AlertSeverity.CRITICAL,
    HealthStatus.DEGRADED: AlertSeverity.WARNING,
    HealthStatus.OK: AlertSeverity.INFO,
}


def alert_from_event(event: Event) -> Alert | None:
    """The alert a bus event stands for, or None for events that are not alerts."""
    ts = event.ts_event
    if isinstance(event, AlertRaised):
        return Alert(event.severity, event.title, event.message, event.source, ts)
    if isinstance(event, HaltTriggered):
        return Alert(
            AlertSeverity.CRITICAL,
            f"HALT: {event.trigger}",
            f"{event.reason}. Behaviour: {event.behaviour}. No new orders until a person completes the "
            "recovery checklist and resumes (galfriday resume).",
            "risk.halt",
            ts,
        )
    if isinstance(event, HaltResumed):
        return Alert(
            AlertSeverity.WARNING, "Trading resumed", f"resumed by {event.resumed_by}", "risk.halt", ts
        )
    if isinstance(event, HealthChanged):
        title = f"Health {event.component}: {event.status.value}"
        return Alert(
            _HEALTH_SEVERITY[event.status], title, event.detail or "(no detail)", "monitoring.health", ts
        )
    return None

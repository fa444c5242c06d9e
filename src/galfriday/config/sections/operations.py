"""Running the system: health and metrics, logging, and the dashboard/control API."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import BeforeValidator, Field, model_validator

from galfriday.config.base import ConfigModel, OptionalSecret, enforce, rule


class MonitoringSettings(ConfigModel):
    """Prometheus metrics, periodic health checks and the thresholds that warn or HALT."""

    metrics_enabled: bool = Field(True, description="Serve Prometheus metrics.")
    metrics_host: str = Field("127.0.0.1", min_length=1, description="Metrics listen address.")
    metrics_port: int = Field(9108, ge=1, le=65_535, description="Metrics listen port.")
    health_check_interval_s: float = Field(30.0, gt=0, description="How often health checks run.")
    cpu_warn_pct: float = Field(0.90, gt=0, le=1, description="CPU use (fraction) that raises a warning.")
    memory_warn_pct: float = Field(
        0.90, gt=0, le=1, description="Memory use (fraction) that raises a warning."
    )
    event_loop_lag_warn_ms: float = Field(100.0, gt=0, description="Event-loop lag that raises a warning.")
    critical_handler_failures_halt: int = Field(
        3, ge=1, description="Consecutive failures of a critical bus handler → HALT."
    )


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


LogLevel = Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], BeforeValidator(_upper)]


class LoggingSettings(ConfigModel):
    """Structured logs: a rotating JSON-lines file and an optional human-readable console."""

    level: LogLevel = Field("INFO", description="Lowest level written (case-insensitive).")
    json_file: Path | None = Field(
        Path("var/logs/galfriday.jsonl"), description="Rotating JSON-lines log; None = no file."
    )
    max_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="Rotate the file at this size (10 MiB).")
    backup_count: int = Field(5, ge=0, description="Rotated files kept.")
    console: bool = Field(True, description="Also log to the console.")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class DashboardSettings(ConfigModel):
    """The dashboard and control API (FastAPI)."""

    enabled: bool = Field(True, description="Serve the dashboard and control API.")
    host: str = Field("127.0.0.1", min_length=1, description="Listen address.")
    port: int = Field(8080, ge=1, le=65_535, description="Listen port.")
    api_key: OptionalSecret = Field(
        None, description="Required on every request when set; use ${DASHBOARD_API_KEY}."
    )

    @model_validator(mode="after")
    def _not_open_to_the_network(self) -> Self:
        # The control API can HALT, resume and flatten: never expose it beyond this machine unguarded.
        enforce(
            rule(
                not self.enabled or self.api_key is not None or _is_loopback(self.host),
                "api_key",
                f"is required when the dashboard listens on a non-loopback address ({self.host})",
            ),
        )
        return self

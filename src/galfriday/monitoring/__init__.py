"""Monitoring: structured, redacted logging (metrics, health and alerting live alongside).

Call ``configure_logging`` once at start-up and ``register_secret`` for every credential the
configuration holds; modules then log through the standard ``logging.getLogger(__name__)``.

Alongside: Prometheus ``Metrics`` fed by ``MetricsRecorder`` (bus events) and ``StatsPoller``
(components' stats), ``HealthRegistry`` with the readiness checks, ``MonitoringService`` (the
periodic checks), ``AlertManager`` (``alerting``), ``SessionStatus`` for the control API, and the
``system_logs`` / log-count sinks (``log_sinks``).
"""

from __future__ import annotations

import importlib

from galfriday.monitoring.log_console import ConsoleFormatter
from galfriday.monitoring.log_json import JsonFormatter
from galfriday.monitoring.log_redaction import RedactionFilter, SecretMaskingFormatter
from galfriday.monitoring.log_setup import (
    configure_logging,
    console_handler,
    json_file_handler,
    shutdown_logging,
)
from galfriday.monitoring.redaction import DEFAULT_REDACTOR, MASK, Redactor, register_secret

# The rest is loaded on first use (PEP 562): importing the package for logging must not pull in
# aiohttp, prometheus, SQLAlchemy and DuckDB.
_LAZY = {
    "Alert": "galfriday.monitoring.alerting",
    "AlertManager": "galfriday.monitoring.alerting",
    "alert_manager_from_settings": "galfriday.monitoring.alerting",
    "DatabaseProbe": "galfriday.monitoring.db_probe",
    "engine_ping": "galfriday.monitoring.db_probe",
    "MarketDataFreshness": "galfriday.monitoring.freshness",
    "CheckResult": "galfriday.monitoring.health",
    "HealthRegistry": "galfriday.monitoring.health",
    "HealthReport": "galfriday.monitoring.health",
    "api_check": "galfriday.monitoring.health_checks",
    "halt_check": "galfriday.monitoring.health_checks",
    "market_data_check": "galfriday.monitoring.health_checks",
    "LogCountSink": "galfriday.monitoring.log_sinks",
    "SystemLogSink": "galfriday.monitoring.log_sinks",
    "LoopLagMonitor": "galfriday.monitoring.loop_lag",
    "Metrics": "galfriday.monitoring.metrics",
    "MetricsRecorder": "galfriday.monitoring.metrics_recorder",
    "PsutilSampler": "galfriday.monitoring.resources",
    "ResourceSample": "galfriday.monitoring.resources",
    "MonitoringService": "galfriday.monitoring.service",
    "RuntimeStatus": "galfriday.monitoring.session_status",
    "SessionStatus": "galfriday.monitoring.session_status",
    "StatsPoller": "galfriday.monitoring.stats_poller",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'galfriday.monitoring' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "DEFAULT_REDACTOR",
    "MASK",
    "Alert",
    "AlertManager",
    "CheckResult",
    "ConsoleFormatter",
    "DatabaseProbe",
    "HealthRegistry",
    "HealthReport",
    "JsonFormatter",
    "LogCountSink",
    "LoopLagMonitor",
    "MarketDataFreshness",
    "Metrics",
    "MetricsRecorder",
    "MonitoringService",
    "PsutilSampler",
    "RedactionFilter",
    "Redactor",
    "ResourceSample",
    "RuntimeStatus",
    "SecretMaskingFormatter",
    "SessionStatus",
    "StatsPoller",
    "SystemLogSink",
    "alert_manager_from_settings",
    "api_check",
    "configure_logging",
    "console_handler",
    "engine_ping",
    "halt_check",
    "json_file_handler",
    "market_data_check",
    "register_secret",
    "shutdown_logging",
]

"""Monitoring: structured, redacted logging (metrics, health and alerting live alongside).

Call ``configure_logging`` once at start-up and ``register_secret`` for every credential the
configuration holds; modules then log through the standard ``logging.getLogger(__name__)``.
"""

from __future__ import annotations

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

__all__ = [
    "DEFAULT_REDACTOR",
    "MASK",
    "ConsoleFormatter",
    "JsonFormatter",
    "RedactionFilter",
    "Redactor",
    "SecretMaskingFormatter",
    "configure_logging",
    "console_handler",
    "json_file_handler",
    "register_secret",
    "shutdown_logging",
]

"""Human-readable console lines: time, level, logger, message, correlation id and extras.

Plain text with no colour or terminal detection, so the same record always prints the same line
(tests and ``journalctl`` see exactly what a person at a terminal sees). Times are UTC, like the
JSON file, so a console line and a file line for the same event carry the same timestamp.
"""

from __future__ import annotations

import json
import logging

from galfriday.monitoring.log_record import (
    correlation_id_of,
    exception_of,
    format_timestamp,
    json_extras_of,
    safe_message,
)


class ConsoleFormatter(logging.Formatter):
    """``2026-11-21T19:40:01.123Z INFO     galfriday.risk: message [cid=abc] key="value"``."""

    def format(self, record: logging.LogRecord) -> str:
        parts = [f"{format_timestamp(record.created)} {record.levelname:<8} {record.name}: "]
        parts.append(safe_message(record))
        correlation_id = correlation_id_of(record)
        if correlation_id:
            parts.append(f" [cid={correlation_id}]")
        extras = json_extras_of(record).items()
        parts.extend(f" {key}={json.dumps(value, ensure_ascii=False)}" for key, value in extras)
        exception = exception_of(record)
        if exception is not None:
            parts.append(f"\n{exception[2]}")
        if record.stack_info:
            parts.append(f"\n{record.stack_info}")
        # Lone surrogates (undecodable bytes smuggled in via surrogateescape) cannot be written to a
        # UTF-8 stream; show them escaped instead of failing the write.
        return "".join(parts).encode("utf-8", "backslashreplace").decode("utf-8")

"""JSON-lines formatter: one self-describing object per line for the log file and log shippers.

Field names are fixed (``ts``, ``level``, ``logger``, ``module``, ``message``, ``correlation_id``,
``exc_type``/``exc_message``/``stack`` on exceptions, then the caller's extras) so queries written
once keep working. An extra whose name collides with a fixed field is kept as ``extra_<name>``
rather than silently overwriting it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from galfriday.monitoring.log_record import (
    correlation_id_of,
    exception_of,
    format_timestamp,
    json_extras_of,
    safe_message,
)


class JsonFormatter(logging.Formatter):
    """Render a record as one line of JSON, ASCII-only so no character can fail the write."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(json_fields(record), ensure_ascii=True, separators=(",", ":"))


def json_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The JSON object for one record, every value already JSON-safe."""
    fields: dict[str, Any] = {
        "ts": format_timestamp(record.created),
        "level": record.levelname,
        "logger": record.name,
        "module": record.module,
        "message": safe_message(record),
        "correlation_id": correlation_id_of(record) or None,
    }
    exception = exception_of(record)
    if exception is not None:
        fields["exc_type"], fields["exc_message"], fields["stack"] = exception
    if record.stack_info:
        fields["stack_info"] = record.stack_info
    for key, value in json_extras_of(record).items():
        fields[f"extra_{key}" if key in fields else key] = value
    return fields

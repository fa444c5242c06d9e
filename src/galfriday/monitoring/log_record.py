"""Read the parts of a ``logging.LogRecord`` that every sink shows, without ever raising.

Formatters and the redaction filter must agree on what the message is, which attributes are the
caller's ``extra`` fields, which correlation id applies and how an exception is described; keeping
those rules here means the JSON file line and the console line can never disagree.
"""

from __future__ import annotations

import logging
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from galfriday.core.context import correlation_id_var
from galfriday.monitoring.json_safe import JsonValue, safe_str, to_json_safe

# Attributes the redaction filter sets after it has replaced the live exception with redacted text.
EXC_TYPE_ATTR = "exc_type"
EXC_MESSAGE_ATTR = "exc_message"
# Set once a record has been redacted, so a second handler does not redo the work.
REDACTED_MARKER_ATTR = "_galfriday_redacted"

_STANDARD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",  # added to LogRecord in Python 3.12
    "correlation_id",  # shown as its own field, not as an extra
    EXC_TYPE_ATTR,
    EXC_MESSAGE_ATTR,
    REDACTED_MARKER_ATTR,
}


def format_timestamp(created: float) -> str:
    """UTC ISO-8601 with millisecond precision and a trailing Z, e.g. ``2026-11-21T19:40:01.123Z``.

    Seconds and milliseconds come from one ``datetime`` so rounding can never make them disagree.
    """
    moment = datetime.fromtimestamp(created, tz=UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def safe_message(record: logging.LogRecord) -> str:
    """The message with %-args merged; a format/args mismatch keeps both parts instead of raising."""
    try:
        return record.getMessage()
    except Exception:  # a bad format string or args must not lose the log line
        return f"{safe_str(record.msg)} [unformattable args: {safe_str(record.args)}]"


def correlation_id_of(record: logging.LogRecord) -> str:
    """An explicit ``extra={"correlation_id": ...}`` wins; otherwise the id the bus set for this task."""
    explicit = record.__dict__.get("correlation_id")
    if explicit:
        return safe_str(explicit)
    return correlation_id_var.get()


def extras_of(record: logging.LogRecord) -> dict[Any, Any]:
    """The caller's ``extra`` fields: every attribute a plain LogRecord does not have, except
    private ones (``_x``): libraries stamp those on every record through the record factory (Ray
    adds ``_ray_timestamp_ns`` once imported), and they are not the caller's to show."""
    return {
        key: value
        for key, value in record.__dict__.items()
        if key not in _STANDARD_ATTRS and not (isinstance(key, str) and key.startswith("_"))
    }


def json_extras_of(record: logging.LogRecord) -> dict[str, JsonValue]:
    """The ``extra`` fields as JSON data, ready to print."""
    return {safe_str(key): to_json_safe(value) for key, value in extras_of(record).items()}


def describe_exception(
    exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None
) -> tuple[str, str, str]:
    """``(type, message, formatted traceback)`` of a live exception, as the sinks show it."""
    module = getattr(exc_type, "__module__", "")
    name = getattr(exc_type, "__qualname__", safe_str(exc_type))
    type_name = name if module in ("builtins", "") else f"{module}.{name}"
    try:
        stack = "".join(traceback.format_exception(exc_type, exc, tb)).rstrip("\n")
    except Exception:  # a pathological exception object must not lose the log line
        stack = f"{type_name}: <traceback unavailable>"
    return type_name, safe_str(exc), stack


def exception_of(record: logging.LogRecord) -> tuple[str, str, str] | None:
    """The record's exception, live (``exc_info``) or already redacted to text by the filter."""
    exc_info = record.exc_info
    if exc_info and exc_info[0] is not None:
        return describe_exception(*exc_info)
    if record.exc_text:
        return (
            safe_str(record.__dict__.get(EXC_TYPE_ATTR, "")),
            safe_str(record.__dict__.get(EXC_MESSAGE_ATTR, "")),
            record.exc_text,
        )
    return None

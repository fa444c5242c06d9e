"""Apply redaction to log records: a filter before formatting and a mask on the finished line.

The filter runs on every record a Gal-Friday handler receives, before any formatter sees it: it
merges %-args into the message, stamps the correlation id, redacts message, extras, exception and
stack text, and drops the live exception object so no formatter can render its unredacted message.
The record is changed in place, so every later handler sees the redacted version too. The masking
formatter is the safety net: whatever a formatter produced, registered secret values are replaced
in the final line.
"""

from __future__ import annotations

import logging

from galfriday.monitoring.json_safe import safe_str, to_json_safe
from galfriday.monitoring.log_record import (
    EXC_MESSAGE_ATTR,
    EXC_TYPE_ATTR,
    REDACTED_MARKER_ATTR,
    correlation_id_of,
    exception_of,
    extras_of,
    safe_message,
)
from galfriday.monitoring.redaction import DEFAULT_REDACTOR, Redactor

_REDACTION_FAILED = "<log record withheld: redaction failed>"


class RedactionFilter(logging.Filter):
    """Redact a record in place; never rejects a record and never raises."""

    def __init__(self, redactor: Redactor = DEFAULT_REDACTOR) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        if record.__dict__.get(REDACTED_MARKER_ATTR):
            return True
        try:
            self._redact(record)
        except Exception:  # fail closed: better a line without content than a leaked credential
            _withhold(record)
        record.__dict__[REDACTED_MARKER_ATTR] = True
        return True

    def _redact(self, record: logging.LogRecord) -> None:
        redact = self._redactor.redact_text
        record.msg = redact(safe_message(record))
        record.args = None
        # Stamped now, while the emitting task's context is current, so the record keeps its id even
        # if it is formatted later in another thread.
        record.__dict__["correlation_id"] = redact(correlation_id_of(record))
        for key, value in extras_of(record).items():
            record.__dict__[key] = self._redactor.redact_value(to_json_safe(value), safe_str(key))
        exception = exception_of(record)
        if exception is not None:
            type_name, message, stack = exception
            record.exc_info = None
            record.exc_text = redact(stack)
            record.__dict__[EXC_TYPE_ATTR] = type_name
            record.__dict__[EXC_MESSAGE_ATTR] = redact(message)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)


def _withhold(record: logging.LogRecord) -> None:
    """Strip everything caller-supplied from a record whose redaction failed."""
    for key in list(extras_of(record)):
        del record.__dict__[key]
    record.msg = _REDACTION_FAILED
    record.args = None
    record.exc_info = None
    record.exc_text = None
    record.stack_info = None
    record.__dict__.pop(EXC_TYPE_ATTR, None)
    record.__dict__.pop(EXC_MESSAGE_ATTR, None)


class SecretMaskingFormatter(logging.Formatter):
    """Wrap a formatter and mask registered secret values anywhere in the line it produces."""

    def __init__(self, inner: logging.Formatter, redactor: Redactor = DEFAULT_REDACTOR) -> None:
        super().__init__()
        self._inner = inner
        self._redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        return self._redactor.mask_secrets(self._inner.format(record))

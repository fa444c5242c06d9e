"""The redaction filter cleans a record before any formatter sees it; the masking formatter is the net."""

from __future__ import annotations

import json
import logging

from galfriday.core.context import correlation_id_var
from galfriday.monitoring import (
    MASK,
    ConsoleFormatter,
    JsonFormatter,
    RedactionFilter,
    Redactor,
    SecretMaskingFormatter,
)

from ._records import make_record, raised

_SECRET = "Zx9!registered-api-secret"


def _redacted(record: logging.LogRecord, redactor: Redactor | None = None) -> logging.LogRecord:
    assert RedactionFilter(redactor or Redactor()).filter(record) is True
    return record


def test_message_is_redacted_after_args_are_merged() -> None:
    record = _redacted(make_record("connecting with %s=%s", "api_key", "abc123"))
    assert record.getMessage() == "connecting with api_key=***"
    assert record.args is None


def test_args_holding_a_registered_secret_are_masked() -> None:
    redactor = Redactor()
    redactor.register(_SECRET)
    record = _redacted(make_record("creds %r / %s", {"x": _SECRET}, _SECRET), redactor)
    assert _SECRET not in record.getMessage()


def test_extras_are_redacted_by_key_name_and_by_content_at_any_depth() -> None:
    redactor = Redactor()
    redactor.register(_SECRET)
    record = make_record(
        "request",
        extra={
            "api_key": "plain-key",
            "headers": {"API-Sign": "sig", "User-Agent": "gal-friday"},
            "attempts": [{"token": "t"}, f"uses {_SECRET}"],
            "url": "postgresql://gf:pa55@db/gf",
        },
    )
    line = json.loads(JsonFormatter().format(_redacted(record, redactor)))
    assert line["api_key"] == MASK
    assert line["headers"] == {"API-Sign": MASK, "User-Agent": "gal-friday"}
    assert line["attempts"] == [{"token": MASK}, f"uses {MASK}"]
    assert line["url"] == "postgresql://gf:***@db/gf"


def test_extras_given_to_the_logger_are_not_modified_in_the_callers_dict() -> None:
    headers = {"API-Key": "k"}
    _redacted(make_record("x", extra={"headers": headers}))
    assert headers == {"API-Key": "k"}


def test_exception_message_and_traceback_are_redacted() -> None:
    redactor = Redactor()
    redactor.register(_SECRET)
    error = raised(RuntimeError(f"auth failed for api_key=plainkey123 secret {_SECRET}"))
    record = _redacted(make_record("failed", exc=error), redactor)
    assert record.exc_info is None  # the live exception can no longer be rendered unredacted
    for text in (JsonFormatter().format(record), ConsoleFormatter().format(record)):
        assert "plainkey123" not in text
        assert _SECRET not in text
        assert "RuntimeError" in text
    line = json.loads(JsonFormatter().format(record))
    assert line["exc_message"] == f"auth failed for api_key=*** secret {MASK}"


def test_chained_exception_causes_are_redacted_too() -> None:
    try:
        try:
            raise ValueError("password=hunter2")
        except ValueError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        record = _redacted(make_record("failed", exc=outer))
    assert "hunter2" not in ConsoleFormatter().format(record)


def test_stack_info_is_redacted() -> None:
    record = make_record("x")
    record.stack_info = "Stack:\n  connect('postgresql://u:hunter2@h/db')"
    assert "hunter2" not in _redacted(record).stack_info


def test_a_record_is_redacted_once_even_with_several_handlers() -> None:
    record = _redacted(make_record("password=%s", "hunter2"))
    record.msg = "already done, left alone"
    assert _redacted(record).getMessage() == "already done, left alone"


def test_a_record_whose_redaction_fails_is_withheld_not_leaked() -> None:
    class BrokenRedactor(Redactor):
        def redact_text(self, text: str) -> str:
            raise RuntimeError("pattern bug")

    record = make_record("secret %s", "hunter2", extra={"note": "hunter2"}, exc=raised(ValueError("hunter2")))
    line = JsonFormatter().format(_redacted(record, BrokenRedactor()))
    assert "hunter2" not in line
    assert "redaction failed" in line


def test_masking_formatter_masks_registered_secrets_in_the_final_line() -> None:
    redactor = Redactor()
    redactor.register(_SECRET)
    record = make_record("x")
    record.name = f"galfriday.{_SECRET}"  # a place no filter looks at
    line = SecretMaskingFormatter(JsonFormatter(), redactor).format(record)
    assert _SECRET not in line
    assert f"galfriday.{MASK}" in line


def test_the_correlation_id_is_stamped_while_the_context_is_current() -> None:
    token = correlation_id_var.set("corr-9")
    try:
        record = _redacted(make_record("fill"))
    finally:
        correlation_id_var.reset(token)
    assert json.loads(JsonFormatter().format(record))["correlation_id"] == "corr-9"

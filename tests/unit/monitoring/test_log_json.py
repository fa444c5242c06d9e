"""The JSON-lines format: fixed fields, UTC millisecond timestamps, correlation ids, exceptions."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from decimal import Decimal

from galfriday.core.context import correlation_id_var
from galfriday.monitoring import JsonFormatter

from ._records import make_record, raised

_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def _line(record: logging.LogRecord) -> dict[str, object]:
    text = JsonFormatter().format(record)
    assert "\n" not in text
    return json.loads(text)


def test_fields_of_a_plain_line() -> None:
    line = _line(make_record("filled %s at %s", "XRP/USD", Decimal("0.5123"), extra={"qty": Decimal("30")}))
    assert line["message"] == "filled XRP/USD at 0.5123"
    assert line["level"] == "INFO"
    assert line["logger"] == "galfriday.test"
    assert line["module"] == "_records"
    assert line["qty"] == "30"
    assert line["correlation_id"] is None
    assert _TS.match(str(line["ts"]))


def test_timestamp_is_utc_with_milliseconds_and_z() -> None:
    created = datetime(2026, 11, 21, 19, 40, 1, 123000, tzinfo=UTC).timestamp()
    assert _line(make_record("x", created=created))["ts"] == "2026-11-21T19:40:01.123Z"


def test_timestamp_rounding_carries_into_the_second_consistently() -> None:
    created = datetime(2026, 11, 21, 19, 40, 1, tzinfo=UTC).timestamp() + 0.9999996
    assert _line(make_record("x", created=created))["ts"] == "2026-11-21T19:40:02.000Z"


def test_correlation_id_comes_from_the_context_var() -> None:
    token = correlation_id_var.set("corr-42")
    try:
        line = _line(make_record("handled"))
    finally:
        correlation_id_var.reset(token)
    assert line["correlation_id"] == "corr-42"


def test_explicit_correlation_id_wins_and_is_not_repeated_as_an_extra() -> None:
    token = correlation_id_var.set("from-bus")
    try:
        line = _line(make_record("x", extra={"correlation_id": "explicit"}))
    finally:
        correlation_id_var.reset(token)
    assert line["correlation_id"] == "explicit"
    assert list(line).count("correlation_id") == 1


def test_exception_type_message_and_stack() -> None:
    line = _line(make_record("failed", level=logging.ERROR, exc=raised(ValueError("bad tick"))))
    assert line["exc_type"] == "ValueError"
    assert line["exc_message"] == "bad tick"
    stack = str(line["stack"])
    assert stack.startswith("Traceback (most recent call last):")
    assert stack.endswith("ValueError: bad tick")


def test_exception_type_of_a_project_error_is_module_qualified() -> None:
    from galfriday.core.errors import ConfigError

    line = _line(make_record("failed", exc=raised(ConfigError("missing key"))))
    assert line["exc_type"] == "galfriday.core.errors.ConfigError"


def test_extras_colliding_with_fixed_fields_are_kept_under_another_name() -> None:
    line = _line(make_record("real message", extra={"ts": "fake", "level": "fake"}))
    assert line["level"] == "INFO"
    assert line["extra_ts"] == "fake"
    assert line["extra_level"] == "fake"


def test_odd_inputs_still_produce_one_valid_line() -> None:
    class Weird:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    cyclic: dict[str, object] = {}
    cyclic["self"] = cyclic
    records = [
        make_record("%d orders", "not a number"),
        make_record("%s and %s", "only one"),
        make_record({"a dict": "as message"}),
        make_record(Weird()),
        make_record("x", extra={"obj": object(), "cycle": cyclic, "weird": Weird(), "nan": float("nan")}),
        make_record("x", extra={"when": datetime(2026, 1, 1, tzinfo=UTC), "b": b"\xff"}),
    ]
    for record in records:
        _line(record)
    assert "[unformattable args:" in str(_line(make_record("%d orders", "not a number"))["message"])


def test_stack_info_is_included() -> None:
    record = make_record("x")
    record.stack_info = "Stack (most recent call last):\n  frame"
    assert _line(record)["stack_info"] == "Stack (most recent call last):\n  frame"

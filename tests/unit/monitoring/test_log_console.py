"""The human console format is deterministic and shows the correlation id only when set."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from galfriday.core.context import correlation_id_var
from galfriday.monitoring import ConsoleFormatter

from ._records import make_record, raised

_CREATED = datetime(2026, 11, 21, 19, 40, 1, 123000, tzinfo=UTC).timestamp()


def test_plain_line() -> None:
    record = make_record("order %s accepted", "c-1", created=_CREATED, extra={"qty": Decimal("30")})
    assert ConsoleFormatter().format(record) == (
        '2026-11-21T19:40:01.123Z INFO     galfriday.test: order c-1 accepted qty="30"'
    )


def test_correlation_id_is_shown_when_set() -> None:
    token = correlation_id_var.set("corr-7")
    try:
        line = ConsoleFormatter().format(make_record("fill", created=_CREATED))
    finally:
        correlation_id_var.reset(token)
    assert line == "2026-11-21T19:40:01.123Z INFO     galfriday.test: fill [cid=corr-7]"


def test_exception_traceback_follows_the_line() -> None:
    line = ConsoleFormatter().format(make_record("failed", exc=raised(KeyError("XRP/USD"))))
    first, *rest = line.split("\n")
    assert first.endswith("galfriday.test: failed")
    assert rest[0] == "Traceback (most recent call last):"
    assert rest[-1] == "KeyError: 'XRP/USD'"


def test_attributes_a_library_stamps_on_every_record_are_not_shown() -> None:
    """Ray's record factory adds ``_ray_timestamp_ns`` to every record once ray is imported (so the
    test uses a name of its own: with ray imported, ``extra`` may not set that one)."""
    record = make_record("fill", created=_CREATED, extra={"qty": Decimal("30"), "_stamped_by_a_library": 17})
    line = ConsoleFormatter().format(record)
    assert line == '2026-11-21T19:40:01.123Z INFO     galfriday.test: fill qty="30"'

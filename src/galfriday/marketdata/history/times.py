"""UTC time helpers for history: user input -> epoch nanoseconds, and partition keys.

Everything stored is UTC; a date or datetime given without an offset is taken as UTC (never the
machine's local zone, which would shift a backtest by hours depending on where it runs).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

NS_PER_S = 1_000_000_000
NS_PER_DAY = 86_400 * NS_PER_S
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class TimeParseError(ValueError):
    """A time the user typed that is neither ISO-8601 nor epoch digits."""


def datetime_to_ns(dt: datetime) -> int:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * NS_PER_S + delta.microseconds * 1_000


def to_ns(value: datetime | int | str) -> int:
    """'2024-01-01', '2024-01-01T12:00:00Z', a datetime, or epoch ns (int) -> epoch ns UTC."""
    if isinstance(value, datetime):
        return datetime_to_ns(value)
    if isinstance(value, int):
        return value
    text = value.strip()
    try:
        return datetime_to_ns(datetime.fromisoformat(text))
    except ValueError:
        raise TimeParseError(
            f"{value!r} is not an ISO-8601 date or time (e.g. 2024-01-01 or 2024-01-01T12:00:00Z)"
        ) from None


def ns_to_iso(ns: int) -> str:
    """Epoch ns -> '2024-01-01T00:00:00.123456Z' (microseconds; enough for people to read)."""
    dt = _EPOCH + timedelta(microseconds=ns // 1_000)
    return dt.isoformat(timespec="microseconds" if ns % NS_PER_S else "seconds").replace("+00:00", "Z")


def utc_day(ns: int) -> str:
    return (_EPOCH + timedelta(days=ns // NS_PER_DAY)).strftime("%Y-%m-%d")


def utc_month(ns: int) -> str:
    return utc_day(ns)[:7]

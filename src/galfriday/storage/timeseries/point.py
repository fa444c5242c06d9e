"""``Point``: one validated row of a measurement — tags, fields and a nanosecond timestamp.

Validation happens once, where the point is made, so both backends can trust what they receive:
the measurement and its required tags exist, every field is declared with the right type, and
ints fit InfluxDB's int64. NaN and ±inf floats (warming-up indicators, empty books) are dropped
and counted in ``non_finite_dropped`` instead of failing the caller: telemetry must never raise on
the trading path for a missing number. A point left with no fields is skipped by the stores.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field

from galfriday.storage.timeseries.errors import SchemaError
from galfriday.storage.timeseries.schema import measurement as schema_of

FieldValue = float | int | bool | str

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

# Line protocol cannot carry these in tag values (newlines end a line; InfluxDB 1.x and 2.x
# disagree on what a backslash in a tag means). String fields may hold backslashes.
_FORBIDDEN_IN_TAGS = ("\n", "\r", "\\")


def _check_tag_value(what: str, text: object) -> None:
    if not isinstance(text, str) or not text:
        raise SchemaError(f"{what} must be a non-empty str, got {text!r}")
    if any(ch in text for ch in _FORBIDDEN_IN_TAGS):
        raise SchemaError(f"{what} {text!r} contains a newline or backslash; remove it")


@dataclass(frozen=True, slots=True, init=False)
class Point:
    """A validated measurement row. ``fields`` holds only finite values, coerced to their kind."""

    measurement: str
    tags: dict[str, str]
    fields: dict[str, FieldValue]
    ts_ns: int
    non_finite_dropped: int = field(compare=False)

    def __init__(
        self,
        measurement: str,
        tags: Mapping[str, str],
        fields: Mapping[str, FieldValue],
        ts_ns: int,
    ) -> None:
        schema = schema_of(measurement)
        if isinstance(ts_ns, bool) or not isinstance(ts_ns, int) or not INT64_MIN <= ts_ns <= INT64_MAX:
            raise SchemaError(f"{measurement}: ts_ns must be an int64 of nanoseconds, got {ts_ns!r}")
        for tag, value in tags.items():
            if tag not in schema.all_tags:
                raise SchemaError(
                    f"{measurement}: unknown tag {tag!r}; declared tags are {sorted(schema.all_tags)}"
                )
            _check_tag_value(f"{measurement}: tag {tag}", value)
        missing = [t for t in schema.required_tags if t not in tags]
        if missing:
            raise SchemaError(f"{measurement}: missing required tag(s) {missing}")
        if not fields:
            raise SchemaError(f"{measurement}: a point needs at least one field")
        kept: dict[str, FieldValue] = {}
        dropped = 0
        for name, value in fields.items():
            kind = schema.field_kind(name)
            if kind is float and type(value) is float:  # the common case, kept inline for speed
                if math.isfinite(value):
                    kept[name] = value
                else:
                    dropped += 1
                continue
            if kind is None:
                raise SchemaError(
                    f"{measurement}: field {name!r} is not declared; add it to storage/timeseries/schema.py"
                )
            coerced = _coerce(measurement, name, kind, value)
            if coerced is None:
                dropped += 1
            else:
                kept[name] = coerced
        self._set(measurement, dict(tags), kept, ts_ns, dropped)

    @classmethod
    def read_back(
        cls, measurement: str, tags: dict[str, str], fields: dict[str, FieldValue], ts_ns: int
    ) -> Point:
        """A row read from a store that only ever accepted valid points, without checking it again
        (re-validating dominates the cost of reading tens of thousands of rows). The caller hands
        over ``tags`` and ``fields``: values already of their declared kind, no NaN."""
        point = object.__new__(cls)
        point._set(measurement, tags, fields, ts_ns, 0)
        return point

    def _set(
        self, measurement: str, tags: dict[str, str], fields: dict[str, FieldValue], ts_ns: int, dropped: int
    ) -> None:
        object.__setattr__(self, "measurement", measurement)
        object.__setattr__(self, "tags", tags)
        object.__setattr__(self, "fields", fields)
        object.__setattr__(self, "ts_ns", ts_ns)
        object.__setattr__(self, "non_finite_dropped", dropped)


def _coerce(measurement: str, name: str, kind: type, value: object) -> FieldValue | None:
    """``value`` as exactly ``kind``; None for a non-finite float (to be dropped); SchemaError
    otherwise. numpy scalars are accepted and become plain Python values (``repr`` of a numpy
    float is not a number, and InfluxDB fixes a field's type on first write)."""
    if isinstance(value, bool):
        if kind is bool:
            return value
    elif kind is float:
        if isinstance(value, numbers.Real):
            number = float(value)
            return number if math.isfinite(number) else None
    elif kind is int:
        if isinstance(value, numbers.Integral):
            number = int(value)
            if INT64_MIN <= number <= INT64_MAX:
                return number
            raise SchemaError(f"{measurement}: field {name}={value} does not fit in int64")
    elif kind is str and isinstance(value, str):
        if "\n" in value or "\r" in value:
            raise SchemaError(f"{measurement}: string field {name} contains a newline; remove it")
        return value
    raise SchemaError(
        f"{measurement}: field {name} must be {kind.__name__}, got {type(value).__name__} {value!r}"
        + (" (convert Decimal with float())" if type(value).__name__ == "Decimal" else "")
    )

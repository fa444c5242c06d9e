"""Turn any Python value into plain JSON data (dict, list, str, int, float, bool, None).

Log calls pass whatever the caller has at hand: Decimals, datetimes, msgspec structs, enums,
self-referencing containers, objects whose ``__str__`` raises. A log line must still be written, so
this conversion never raises: money stays exact as a string, times become ISO-8601, and anything
else falls back to its ``str`` (or ``repr``, or its type name).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

JsonValue = dict[str, "JsonValue"] | list["JsonValue"] | str | int | float | bool | None

_MAX_DEPTH = 20


def safe_str(value: object) -> str:
    """``str(value)``, or ``repr``, or the type name: whichever first succeeds."""
    for render in (str, repr):
        try:
            return render(value)
        except Exception:  # a broken __str__ must not lose the log line
            continue
    return f"<unprintable {type(value).__name__}>"


def to_json_safe(value: Any) -> JsonValue:
    """Convert ``value`` recursively; cycles and very deep nesting are cut off with a marker."""
    return _convert(value, frozenset(), 0)


def _convert(value: Any, seen: frozenset[int], depth: int) -> JsonValue:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if not isinstance(value, Mapping | list | tuple | set | frozenset):
        return safe_str(value)
    if id(value) in seen:
        return "<cycle>"
    if depth >= _MAX_DEPTH:
        return "<too deep>"
    inner = seen | {id(value)}
    if isinstance(value, Mapping):
        try:
            items = list(value.items())
        except Exception:  # a broken custom Mapping: show what it says it is
            return safe_str(value)
        return {safe_str(key): _convert(item, inner, depth + 1) for key, item in items}
    return [_convert(item, inner, depth + 1) for item in value]

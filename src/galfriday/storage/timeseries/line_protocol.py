"""InfluxDB line protocol encoding (the write body of both the 1.x and the v2 API).

    measurement,tag_key=tag_value field_key=field_value[,…] timestamp_ns

Escaping, per the line-protocol reference: in measurement names commas and spaces; in tag keys,
tag values and field keys commas, equals signs and spaces; in string field values double quotes
and backslashes. Floats use Python's shortest round-trip repr, so a value read back is the same
float; ints carry the ``i`` suffix; bools are ``true``/``false``. Tags are sorted by key, which is
what InfluxDB wants for the fastest series lookup.

Callers guarantee what cannot be escaped: no newlines anywhere, no backslashes outside string
field values (``Point`` enforces both) and no measurement name starting with ``#`` (a comment line;
the schema's names never do).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from galfriday.storage.timeseries.point import FieldValue, Point

_MEASUREMENT_ESCAPES = str.maketrans({",": r"\,", " ": r"\ "})
_KEY_ESCAPES = str.maketrans({",": r"\,", "=": r"\=", " ": r"\ "})


@lru_cache(maxsize=8192)
def escape_measurement(name: str) -> str:
    return name.translate(_MEASUREMENT_ESCAPES)


@lru_cache(maxsize=8192)
def escape_key(text: str) -> str:
    """Escape a tag key, tag value or field key (cached: the same few names repeat endlessly)."""
    return text.translate(_KEY_ESCAPES)


def encode_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@lru_cache(maxsize=65_536)
def _field_prefix(key: str) -> str:
    """``escaped_key=``, the start of every field of that name."""
    return key.translate(_KEY_ESCAPES) + "="


def encode_line(
    measurement: str, tags: Mapping[str, str], fields: Mapping[str, FieldValue], ts_ns: int
) -> str:
    """One line (without the trailing newline). ``fields`` must not be empty."""
    head = escape_measurement(measurement)
    if tags:
        head += "".join(f",{escape_key(k)}={escape_key(tags[k])}" for k in sorted(tags))
    parts = []
    for key, value in fields.items():  # inlined per type: this loop is the encoder's hot spot
        kind = type(value)
        if kind is float:
            parts.append(_field_prefix(key) + repr(value))
        elif kind is bool:
            parts.append(_field_prefix(key) + ("true" if value else "false"))
        elif kind is int:
            parts.append(f"{_field_prefix(key)}{value}i")
        else:
            parts.append(_field_prefix(key) + encode_string(value))  # type: ignore[arg-type]
    return f"{head} {','.join(parts)} {ts_ns}"


def encode_points(points: Iterable[Point]) -> bytes:
    """A write body: one line per point that still has fields, newline-terminated, UTF-8."""
    lines = [encode_line(p.measurement, p.tags, p.fields, p.ts_ns) for p in points if p.fields]
    return ("\n".join(lines) + "\n").encode() if lines else b""

"""A small, independent line-protocol parser, written from the InfluxDB reference, to check the
encoder against: parse(encode(x)) == x."""

from __future__ import annotations

_KEY_ESCAPABLE = ",= "


def _read_key(line: str, i: int, stops: str) -> tuple[str, int]:
    out = []
    while i < len(line) and line[i] not in stops:
        if line[i] == "\\" and i + 1 < len(line) and line[i + 1] in _KEY_ESCAPABLE:
            i += 1
        out.append(line[i])
        i += 1
    return "".join(out), i


def _read_value(line: str, i: int) -> tuple[object, int]:
    if line[i] == '"':
        out, i = [], i + 1
        while line[i] != '"':
            if line[i] == "\\" and line[i + 1] in '"\\':
                i += 1
            out.append(line[i])
            i += 1
        return "".join(out), i + 1
    raw, i = _read_key(line, i, ", ")
    if raw in ("t", "T", "true", "True", "TRUE"):
        return True, i
    if raw in ("f", "F", "false", "False", "FALSE"):
        return False, i
    if raw.endswith("i"):
        return int(raw[:-1]), i
    return float(raw), i


def parse_line(line: str) -> tuple[str, dict[str, str], dict[str, object], int]:
    measurement, i = _read_key(line, 0, ", ")
    tags: dict[str, str] = {}
    while line[i] == ",":
        key, i = _read_key(line, i + 1, "=")
        value, i = _read_key(line, i + 1, ", ")
        tags[key] = value
    fields: dict[str, object] = {}
    i += 1  # the space before the fields
    while True:
        key, i = _read_key(line, i, "=")
        fields[key], i = _read_value(line, i + 1)
        if line[i] == " ":
            break
        i += 1  # the comma between fields
    return measurement, tags, fields, int(line[i + 1 :])

"""InfluxQL for the 1.x ``/query`` endpoint: build the SELECT for a ``QuerySpec``, turn the JSON
answer back into ``Point``s.

The answer is JSON, where a float that happens to be whole (``100.0``) arrives as ``100``; values
are coerced back to the declared kind so a point read back equals the point written.
"""

from __future__ import annotations

from typing import Any

from galfriday.core.errors import StorageError
from galfriday.storage.timeseries.point import Point
from galfriday.storage.timeseries.query_spec import QuerySpec
from galfriday.storage.timeseries.schema import TIME_COLUMN


def quote_ident(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def quote_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def select_statement(spec: QuerySpec, database: str, retention_policy: str) -> str:
    schema = spec.schema
    if spec.fields is None:
        columns = "*"
    else:
        tags = sorted(schema.all_tags)
        columns = ", ".join(quote_ident(c) for c in (*spec.fields, *tags))
    source = ".".join(quote_ident(p) for p in (database, retention_policy, schema.name))
    where = [f"{quote_ident(t)} = {quote_string(v)}" for t, v in sorted(spec.tags.items())]
    if spec.start_ns is not None:
        where.append(f"time >= {int(spec.start_ns)}")
    if spec.end_ns is not None:
        where.append(f"time < {int(spec.end_ns)}")
    sql = f"SELECT {columns} FROM {source}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY time {'DESC' if spec.newest_first else 'ASC'}"
    if spec.limit is not None:
        sql += f" LIMIT {int(spec.limit)}"
    return sql


def statement_error(payload: dict[str, Any]) -> str | None:
    """The error InfluxDB reported for the (first) statement of a ``/query`` answer, if any."""
    results = payload.get("results") or [{}]
    return payload.get("error") or results[0].get("error")


def points_from_response(spec: QuerySpec, payload: dict[str, Any]) -> list[Point]:
    """The rows of a ``/query?epoch=ns`` answer to one SELECT; StorageError if InfluxDB reported one."""
    error = statement_error(payload)
    if error:
        raise StorageError(f"InfluxDB refused the query: {error}")
    schema = spec.schema
    points = []
    for series in (payload.get("results") or [{}])[0].get("series", ()):
        columns = series["columns"]
        for row in series["values"]:
            tags: dict[str, str] = {}
            fields: dict[str, Any] = {}
            ts_ns = 0
            for column, value in zip(columns, row, strict=True):
                if column == TIME_COLUMN:
                    ts_ns = value
                elif column in schema.all_tags:
                    if value:  # null or "" for a series without this (optional) tag
                        tags[column] = value
                elif value is not None:
                    kind = schema.field_kind(column)
                    if kind is not None:  # fields written by other tools are not ours to return
                        fields[column] = float(value) if kind is float else value
            if fields:
                points.append(Point.read_back(schema.name, tags, fields, ts_ns))
    return points

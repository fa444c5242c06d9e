"""``QuerySpec``: a validated read request, shared by the backends so they reject the same mistakes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from galfriday.storage.timeseries.errors import SchemaError
from galfriday.storage.timeseries.schema import Measurement
from galfriday.storage.timeseries.schema import measurement as schema_of


@dataclass(frozen=True, slots=True)
class QuerySpec:
    schema: Measurement
    tags: Mapping[str, str]
    start_ns: int | None
    end_ns: int | None
    fields: tuple[str, ...] | None
    limit: int | None
    newest_first: bool

    @classmethod
    def build(
        cls,
        measurement: str,
        *,
        tags: Mapping[str, str] | None = None,
        start_ns: int | None = None,
        end_ns: int | None = None,
        fields: Sequence[str] | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> QuerySpec:
        schema = schema_of(measurement)
        tags = dict(tags or {})
        unknown = sorted(set(tags) - schema.all_tags)
        if unknown:
            raise SchemaError(f"{measurement}: cannot filter on unknown tag(s) {unknown}")
        if fields is not None:
            fields = tuple(fields)
            undeclared = [f for f in fields if schema.field_kind(f) is None]
            if not fields or undeclared:
                raise SchemaError(f"{measurement}: ask for declared fields, not {list(undeclared or fields)}")
        if limit is not None and limit < 1:
            raise SchemaError(f"limit must be >= 1 or None, got {limit}")
        return cls(schema, tags, start_ns, end_ns, fields, limit, newest_first)

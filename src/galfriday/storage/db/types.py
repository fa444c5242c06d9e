"""Column types that behave the same on PostgreSQL and SQLite.

The two backends disagree on exactly the things a trading record cannot get wrong: SQLite has no
decimal type (its NUMERIC affinity silently turns long decimals into floats) and no time zones.
These decorators hide the difference so a row reads back exactly as it was written on either one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class ExactDecimal(TypeDecorator[Decimal]):
    """Money: a ``Decimal`` in, the same ``Decimal`` out, never a float in between.

    PostgreSQL: unconstrained ``NUMERIC``. It stores any finite decimal exactly together with its
    scale, so ``Decimal("1.50")`` reads back as ``Decimal("1.50")``. A fixed ``NUMERIC(p, s)`` would
    silently round fees and P&L with more than ``s`` decimals, and differ from SQLite.

    SQLite: ``TEXT`` holding the fixed-point digits. A NUMERIC column there has numeric affinity and
    would store ``12345678901234.5678901234567890`` as a 15-digit float.

    Consequence on SQLite: SQL compares and sums these columns as text. Do not filter, order or
    aggregate by them in SQL; do the arithmetic on the Decimals in Python. CHECK constraints cast to
    ``DOUBLE PRECISION`` (see ``models.positive``), which is exact for the sign of a value.

    Floats and non-finite values (NaN, ±Infinity) are refused: neither is an amount of money.
    """

    impl = sa.Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.Text())
        return dialect.type_descriptor(sa.Numeric(asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise TypeError(
                f"a money column takes a Decimal (or int), got {type(value).__name__} {value!r}: "
                "floats are inexact"
            )
        exact = Decimal(value)
        if not exact.is_finite():
            raise ValueError(f"a money column takes a finite Decimal, got {exact}")
        return format(exact, "f") if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(value)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC ``datetime`` on both backends.

    PostgreSQL stores ``TIMESTAMPTZ``. SQLite has no time zones, so the value is converted to UTC and
    stored without an offset (fixed-width text, so text order is time order), then read back with
    ``tzinfo=UTC``. Naive datetimes are refused: their meaning depends on the machine's zone.
    Precision is the microsecond; event timestamps in nanoseconds lose the last three digits.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"a timestamp column takes a datetime, got {type(value).__name__} {value!r}")
        if value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} is ambiguous: pass an aware UTC datetime")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite: stored as UTC without an offset
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class JsonDocument(TypeDecorator[Any]):
    """Semi-structured data: ``JSONB`` on PostgreSQL, ``JSON`` (text) on SQLite.

    Values pass through ``msgspec.to_builtins`` first, so Decimals are stored as strings (exact,
    unlike JSON numbers), UUIDs and datetimes as strings, enums as their values, structs and
    dataclasses as objects. Reading returns plain JSON: money comes back as strings for the caller
    to turn into Decimals. Python ``None`` is SQL NULL, not the JSON ``null`` literal.
    """

    impl = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else msgspec.to_builtins(value)

"""Column types: exact money, aware UTC timestamps and JSON money as strings, per backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from galfriday.core.types import Side
from galfriday.storage.db.database import Database, open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.storage.db.models import OrderRow
from galfriday.storage.db.repositories import OrderRepository
from galfriday.storage.db.types import ExactDecimal, JsonDocument, UtcDateTime
from tests.unit.storage import factories as f

SQLITE = sqlite.dialect()
POSTGRES = postgresql.dialect()


class TestExactDecimal:
    def test_sqlite_stores_fixed_point_text(self) -> None:
        money = ExactDecimal()
        assert money.process_bind_param(f.THIRTY_DIGITS, SQLITE) == "12345678901234.5678901234567890"
        assert money.process_bind_param(Decimal("1E-8"), SQLITE) == "0.00000001"
        assert money.process_bind_param(7, SQLITE) == "7"
        assert money.process_result_value("12345678901234.5678901234567890", SQLITE) == f.THIRTY_DIGITS

    def test_postgres_passes_decimals_through(self) -> None:
        money = ExactDecimal()
        assert money.process_bind_param(f.THIRTY_DIGITS, POSTGRES) is f.THIRTY_DIGITS
        assert money.process_result_value(Decimal("1.50"), POSTGRES) == Decimal("1.50")

    @pytest.mark.parametrize("dialect", [SQLITE, POSTGRES], ids=["sqlite", "postgresql"])
    def test_refuses_what_is_not_money(self, dialect: sa.Dialect) -> None:
        money = ExactDecimal()
        for inexact in (0.1, "0.1", True):
            with pytest.raises(TypeError, match="money column takes a Decimal"):
                money.process_bind_param(inexact, dialect)
        for special in ("NaN", "Infinity", "-Infinity", "sNaN"):
            with pytest.raises(ValueError, match="finite"):
                money.process_bind_param(Decimal(special), dialect)
        assert money.process_bind_param(None, dialect) is None

    def test_column_sql(self) -> None:
        assert sa.Column("x", ExactDecimal()).type.compile(dialect=SQLITE) == "TEXT"
        assert sa.Column("x", ExactDecimal()).type.compile(dialect=POSTGRES) == "NUMERIC"


class TestUtcDateTime:
    def test_sqlite_stores_naive_utc_and_reads_aware_utc(self) -> None:
        stamp = UtcDateTime()
        paris = datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
        stored = stamp.process_bind_param(paris, SQLITE)
        assert stored == datetime(2024, 5, 1, 12, 0)  # noqa: DTZ001 - naive UTC is the SQLite form
        read = stamp.process_result_value(stored, SQLITE)
        assert read == paris and read is not None and read.tzinfo is UTC

    def test_postgres_stores_aware_utc(self) -> None:
        stamp = UtcDateTime()
        paris = datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
        stored = stamp.process_bind_param(paris, POSTGRES)
        assert stored == paris and stored is not None and stored.tzinfo is UTC

    @pytest.mark.parametrize("dialect", [SQLITE, POSTGRES], ids=["sqlite", "postgresql"])
    def test_refuses_naive_and_non_datetimes(self, dialect: sa.Dialect) -> None:
        with pytest.raises(ValueError, match="naive datetime"):
            UtcDateTime().process_bind_param(datetime(2024, 5, 1), dialect)  # noqa: DTZ001
        with pytest.raises(TypeError, match="takes a datetime"):
            UtcDateTime().process_bind_param(1714564800, dialect)


class TestJsonDocument:
    def test_money_and_ids_become_strings(self) -> None:
        document = {
            "qty": Decimal("150.00000000"),
            "nested": [Decimal("1E-8")],
            "side": Side.BUY,
            "id": UUID("12345678-1234-5678-1234-567812345678"),
            "at": datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
            "ratio": 0.25,
        }
        assert JsonDocument().process_bind_param(document, SQLITE) == {
            "qty": "150.00000000",
            "nested": ["1E-8"],
            "side": "BUY",
            "id": "12345678-1234-5678-1234-567812345678",
            "at": "2024-05-01T12:00:00Z",
            "ratio": 0.25,
        }

    def test_column_sql(self) -> None:
        assert sa.Column("x", JsonDocument()).type.compile(dialect=SQLITE) == "JSON"
        assert sa.Column("x", JsonDocument()).type.compile(dialect=POSTGRES) == "JSONB"


async def test_sqlite_keeps_every_digit_as_text(sqlite_url: str) -> None:
    """SQLite's NUMERIC affinity would have stored a 15-digit float; the column holds text."""
    await upgrade(sqlite_url)
    database: Database = await open_database(sqlite_url)
    try:
        await OrderRepository(database.sessions).insert_intent(f.new_order(quantity_ordered=f.THIRTY_DIGITS))
        async with database.engine.connect() as connection:
            row = (
                await connection.execute(
                    sa.text(
                        "SELECT typeof(quantity_ordered), quantity_ordered, typeof(created_at) FROM orders"
                    )
                )
            ).one()
            assert tuple(row) == ("text", "12345678901234.5678901234567890", "text")
            read = await connection.scalar(sa.select(OrderRow.quantity_ordered))
            assert str(read) == "12345678901234.5678901234567890"
    finally:
        await database.close()

"""Migrations create exactly the documented schema, go down cleanly, and agree with the models."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from galfriday.core.errors import StorageError
from galfriday.storage.db.database import Database
from galfriday.storage.db.engine import create_engine
from galfriday.storage.db.migrate import current, downgrade, head_revision, upgrade
from galfriday.storage.db.models import Base
from tests.unit.storage.contracts import document_schema as doc
from tests.unit.storage.contracts.base import BackendContract


async def inspect(db_url: str, read: Any) -> Any:
    """Run ``read(inspector)`` on a fresh connection."""
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(lambda sync: read(sa.inspect(sync)))
    finally:
        await engine.dispose()


class SchemaContract(BackendContract):
    async def test_upgrade_downgrade_upgrade(self, db_url: str) -> None:
        assert await current(db_url) is None

        assert await upgrade(db_url) == head_revision()
        assert await current(db_url) == head_revision()
        assert set(doc.COLUMNS) <= set(await inspect(db_url, lambda i: i.get_table_names()))

        assert await downgrade(db_url, "base") is None
        assert await current(db_url) is None
        assert set(await inspect(db_url, lambda i: i.get_table_names())) <= {"alembic_version"}

        await upgrade(db_url)
        assert await current(db_url) == head_revision()

    async def test_a_failed_upgrade_leaves_nothing_behind(self, db_url: str) -> None:
        """The migration fails at its fourth table; the three before it are rolled back too."""
        engine = create_engine(db_url)
        try:
            async with engine.begin() as connection:
                await connection.exec_driver_sql("CREATE TABLE trades (squatter INTEGER)")
        finally:
            await engine.dispose()
        with pytest.raises(StorageError, match="upgrade to head failed"):
            await upgrade(db_url)
        assert await current(db_url) is None
        assert set(await inspect(db_url, lambda i: i.get_table_names())) == {"trades"}

    async def test_upgrade_twice_is_a_no_op(self, db_url: str) -> None:
        await upgrade(db_url)
        assert await upgrade(db_url) == head_revision()

    async def test_columns_types_and_nullability(self, database: Database, db_url: str, backend: str) -> None:
        def read(inspector: Any) -> dict[str, list[dict[str, Any]]]:
            return {table: inspector.get_columns(table) for table in doc.COLUMNS}

        reflected = await inspect(db_url, read)
        dialect = database.engine.dialect
        for table, expected_columns in doc.COLUMNS.items():
            columns = {column["name"]: column for column in reflected[table]}
            assert list(columns) == [name for name, _, _ in expected_columns], table
            for name, kind, nullable in expected_columns:
                column = columns[name]
                assert column["type"].compile(dialect=dialect) == doc.expected_sql(kind, backend), (
                    table,
                    name,
                )
                assert column["nullable"] is nullable, (table, name)
                has_default = column["default"] is not None
                assert has_default is ((table, name) in doc.SERVER_DEFAULTS or _is_serial(column, backend)), (
                    table,
                    name,
                )

    async def test_primary_keys(self, database: Database, db_url: str) -> None:
        def read(inspector: Any) -> dict[str, list[str]]:
            return {table: inspector.get_pk_constraint(table)["constrained_columns"] for table in doc.COLUMNS}

        assert await inspect(db_url, read) == {table: [column] for table, column in doc.PRIMARY_KEYS.items()}

    async def test_indexes(self, database: Database, db_url: str, backend: str) -> None:
        def read(inspector: Any) -> dict[str, dict[str, Any]]:
            return {
                index["name"]: index | {"table": table}
                for table in doc.COLUMNS
                for index in inspector.get_indexes(table)
            }

        reflected = await inspect(db_url, read)
        for name, (table, columns, unique) in doc.INDEXES.items():
            assert name in reflected, name
            index = reflected[name]
            assert (index["table"], index["column_names"], bool(index["unique"])) == (table, columns, unique)
        only_active = reflected["uq_configurations_one_active"]["dialect_options"]
        assert str(only_active[f"{backend}_where"]) == "is_active"

    async def test_unique_constraints(self, database: Database, db_url: str) -> None:
        def read(inspector: Any) -> dict[str, list[list[str]]]:
            return {
                table: sorted(uc["column_names"] for uc in inspector.get_unique_constraints(table))
                for table in doc.COLUMNS
            }

        reflected = await inspect(db_url, read)
        for table in doc.COLUMNS:
            assert reflected[table] == sorted(doc.UNIQUE_CONSTRAINTS.get(table, [])), table

    async def test_foreign_keys(self, database: Database, db_url: str) -> None:
        def read(inspector: Any) -> dict[tuple[str, str], tuple[str, str]]:
            found = {}
            for table in doc.COLUMNS:
                for fk in inspector.get_foreign_keys(table):
                    assert len(fk["constrained_columns"]) == 1
                    found[(table, fk["constrained_columns"][0])] = (
                        fk["referred_table"],
                        fk["referred_columns"][0],
                    )
            return found

        assert await inspect(db_url, read) == doc.FOREIGN_KEYS

    async def test_check_constraints(self, database: Database, db_url: str) -> None:
        def read(inspector: Any) -> dict[str, set[str]]:
            return {
                table: {ck["name"] for ck in inspector.get_check_constraints(table)} for table in doc.COLUMNS
            }

        assert await inspect(db_url, read) == doc.CHECKS

    async def test_models_match_the_migration(self, database: Database) -> None:
        """An autogenerate diff of the models against the migrated database is empty."""

        def diff(connection: sa.Connection) -> list[Any]:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)

        async with database.engine.connect() as connection:
            assert await connection.run_sync(diff) == []

    async def test_downgrade_to_an_unknown_revision_changes_nothing(
        self, database: Database, db_url: str
    ) -> None:
        with pytest.raises(StorageError, match="Can't locate revision"):
            await downgrade(db_url, "no_such_revision")
        assert await current(db_url) == head_revision()


def _is_serial(column: dict[str, Any], backend: str) -> bool:
    """PostgreSQL shows SERIAL primary keys as a nextval() default; SQLite shows none."""
    return backend == "postgresql" and "nextval" in str(column["default"])

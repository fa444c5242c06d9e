"""Engines: SQLite made to behave like a real database, URLs masked, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from galfriday.core.errors import StorageError
from galfriday.storage.db.engine import create_engine, mask_url, unreachable_error
from tests.unit.storage.factories import CLOSED_PORT_URL


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (CLOSED_PORT_URL, "postgresql+asyncpg://trader:***@127.0.0.1:1/galfriday"),
        ("postgresql+asyncpg://trader@db/galfriday", "postgresql+asyncpg://trader@db/galfriday"),
        ("sqlite+aiosqlite:///var/galfriday.db", "sqlite+aiosqlite:///var/galfriday.db"),
        ("not a url //user:pw@host", "not a url //user:***@host"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_unreachable_error_says_what_to_check() -> None:
    error = unreachable_error(CLOSED_PORT_URL, ConnectionRefusedError("Connect call failed"))
    assert "s3cret" not in str(error)
    assert "trader:***@127.0.0.1:1/galfriday: Connect call failed" in str(error)
    assert "database server is running" in str(error)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "is not a database URL"),
        ("sqlite:///var/x.db", "Use an async driver"),
        ("mysql+nosuchdriver://u:pw@h/db", "Use an async driver"),
    ],
)
def test_unusable_urls(url: str, message: str) -> None:
    with pytest.raises(StorageError, match=message) as raised:
        create_engine(url)
    assert "pw@" not in str(raised.value)


async def test_sqlite_creates_the_database_folder(tmp_path: Path) -> None:
    path = tmp_path / "var" / "nested" / "galfriday.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")
    finally:
        await engine.dispose()
    assert path.is_file()


async def test_sqlite_pragmas_on_every_connection(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        async with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                assert await connection.scalar(sa.text("PRAGMA foreign_keys")) == 1
                assert await connection.scalar(sa.text("PRAGMA journal_mode")) == "wal"
                assert await connection.scalar(sa.text("PRAGMA busy_timeout")) == 5000
    finally:
        await engine.dispose()


async def test_sqlite_in_memory_works_without_wal() -> None:
    engine = create_engine("sqlite+aiosqlite:///:memory:")
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(sa.text("PRAGMA foreign_keys")) == 1
            assert await connection.scalar(sa.text("PRAGMA journal_mode")) == "memory"
    finally:
        await engine.dispose()


async def test_sqlite_ddl_is_transactional(sqlite_url: str) -> None:
    """Without SQLAlchemy's explicit BEGIN, sqlite3 would commit the CREATE TABLE at once."""
    engine = create_engine(sqlite_url)
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            await connection.exec_driver_sql("CREATE TABLE half_done (x INTEGER)")
            await transaction.rollback()
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names())
        assert "half_done" not in tables
    finally:
        await engine.dispose()


async def test_sqlite_savepoints_work(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            await connection.exec_driver_sql("INSERT INTO t VALUES (1)")
            nested = await connection.begin_nested()
            await connection.exec_driver_sql("INSERT INTO t VALUES (2)")
            await nested.rollback()
            assert await connection.scalar(sa.text("SELECT count(*) FROM t")) == 1
    finally:
        await engine.dispose()

"""open_database refuses, with instructions, a database the code must not write to."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from galfriday.core.errors import StorageError
from galfriday.storage.db.database import open_database
from galfriday.storage.db.engine import create_engine
from galfriday.storage.db.migrate import head_revision, upgrade
from tests.unit.storage.factories import CLOSED_PORT_URL


async def test_an_unmigrated_database_is_refused(sqlite_url: str) -> None:
    with pytest.raises(StorageError, match=r"has no Gal-Friday schema yet: run `galfriday db upgrade`"):
        await open_database(sqlite_url)


async def test_a_revision_from_a_newer_version_is_refused(sqlite_url: str) -> None:
    await upgrade(sqlite_url)
    engine = create_engine(sqlite_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    finally:
        await engine.dispose()
    with pytest.raises(
        StorageError, match=r"revision 9999_future, which this version of Gal-Friday does not know"
    ):
        await open_database(sqlite_url)


async def test_an_unreachable_server_is_reported_with_the_password_masked() -> None:
    with pytest.raises(StorageError, match="cannot connect to database") as raised:
        await open_database(CLOSED_PORT_URL)
    assert "s3cret" not in str(raised.value)
    assert "trader:***@" in str(raised.value)


async def test_a_migrated_database_opens(sqlite_url: str) -> None:
    await upgrade(sqlite_url)
    database = await open_database(sqlite_url)
    try:
        async with database.sessions() as session:
            revision = await session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        assert revision == head_revision()
    finally:
        await database.close()

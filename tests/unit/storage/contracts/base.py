"""Fixtures the contracts share: a migrated database and its backend name."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import make_url

from galfriday.storage.db.database import Database, open_database
from galfriday.storage.db.migrate import upgrade


class BackendContract:
    @pytest.fixture
    def backend(self, db_url: str) -> str:
        """'sqlite' or 'postgresql'."""
        return make_url(db_url).get_backend_name()

    @pytest.fixture
    async def database(self, db_url: str) -> AsyncIterator[Database]:
        """A database migrated to head, opened the way the application opens it."""
        await upgrade(db_url)
        database = await open_database(db_url)
        yield database
        await database.close()

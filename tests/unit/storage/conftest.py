"""Storage unit tests run on SQLite files in a temporary folder."""

from __future__ import annotations

import pytest


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url

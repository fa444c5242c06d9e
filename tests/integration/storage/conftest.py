"""Storage integration tests run on a fresh database on the real PostgreSQL server."""

from __future__ import annotations

import pytest


@pytest.fixture
def db_url(pg_url: str) -> str:
    return pg_url

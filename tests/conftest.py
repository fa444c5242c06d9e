"""Shared fixtures: paths to ../shared/data and connections to the real services.

With CI=true a service that cannot be reached fails the test (DESIGN §8); locally it skips.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("GALFRIDAY_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

PG_HOST = os.environ.get("GALFRIDAY_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("GALFRIDAY_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("GALFRIDAY_TEST_PG_USER", "postgres")
REDIS_URL = os.environ.get("GALFRIDAY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    if _port_open(host, port):
        return
    message = f"{name} is not reachable at {host}:{port}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: service-backed tests must run)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        message = f"shared data folder not found at {SHARED_DATA}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (asyncpg URL); dropped afterwards."""
    require_service("PostgreSQL", PG_HOST, PG_PORT)
    import asyncpg

    name = f"galfriday_test_{uuid.uuid4().hex[:12]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'galfriday.db'}"


@pytest.fixture
def redis_url() -> str:
    require_service("Redis", "127.0.0.1", 6379)
    return REDIS_URL

"""Prediction integration tests: real candles from ../shared/data, the registry on SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from galfriday.prediction.artifacts import ArtifactStore
from galfriday.prediction.registry import ModelRegistry
from galfriday.storage.db.database import open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.storage.db.repositories.models import ModelRepository


@pytest.fixture(scope="session")
def xrp_5m_path(shared_data: Path) -> Path:
    return shared_data / "freqtrade" / "ohlcv" / "XRP_USDT_USDT-5m-futures.feather"


async def open_registry(url: str, models_dir: Path) -> AsyncIterator[ModelRegistry]:
    await upgrade(url)
    database = await open_database(url)
    try:
        yield ModelRegistry(ModelRepository(database.sessions), ArtifactStore(models_dir))
    finally:
        await database.close()


@pytest.fixture
async def sqlite_registry(sqlite_url: str, tmp_path: Path) -> AsyncIterator[ModelRegistry]:
    async for registry in open_registry(sqlite_url, tmp_path / "models"):
        yield registry


@pytest.fixture
async def pg_registry(pg_url: str, tmp_path: Path) -> AsyncIterator[ModelRegistry]:
    async for registry in open_registry(pg_url, tmp_path / "models"):
        yield registry

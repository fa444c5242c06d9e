"""Fixtures of the prediction tests: real candles from ../shared/data and a migrated SQLite registry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pyarrow as pa
import pytest

from galfriday.prediction.artifacts import ArtifactStore
from galfriday.prediction.datasets import load_candles
from galfriday.prediction.registry import ModelRegistry
from galfriday.storage.db.database import Database, open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.storage.db.repositories.models import ModelRepository

XRP_5M = Path("freqtrade/ohlcv/XRP_USDT_USDT-5m-futures.feather")


@pytest.fixture(scope="session")
def xrp_5m_path(shared_data: Path) -> Path:
    return shared_data / XRP_5M


@pytest.fixture(scope="session")
def xrp_5m(xrp_5m_path: Path) -> pa.Table:
    """Real XRP/USDT 5-minute candles (freqtrade test data, 1,999 rows), read in place."""
    return load_candles(xrp_5m_path)


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:
    await upgrade(db_url)
    database = await open_database(db_url)
    yield database
    await database.close()


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def registry(database: Database, tmp_path: Path) -> ModelRegistry:
    return ModelRegistry(ModelRepository(database.sessions), ArtifactStore(tmp_path / "models"))

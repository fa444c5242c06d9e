"""Live-mode tests: our Kraken venue, journal and reconciliation against the exchange simulator
over real sockets (127.0.0.1, random ports), with the records on a SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from galfriday.sim.server import ExchangeSimulator, SimulatorConfig
from galfriday.storage.db.database import Database, open_database
from galfriday.storage.db.migrate import upgrade
from tests.integration.kraken._desk import ACCOUNT


@pytest.fixture
async def sim() -> AsyncIterator[ExchangeSimulator]:
    simulator = ExchangeSimulator(SimulatorConfig(accounts=(ACCOUNT,)))
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[Database]:
    await upgrade(sqlite_url)
    db = await open_database(sqlite_url)
    yield db
    await db.close()

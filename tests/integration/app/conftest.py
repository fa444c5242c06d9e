"""Fixtures for the runtime's integration tests: a running exchange simulator (generated market at
30x, 127.0.0.1, a free port) and a factory for paper sessions on it, stopped after the test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from galfriday.app.runtime import RunOptions, Session, serve
from galfriday.sim.server import ExchangeSimulator, SimulatorConfig
from galfriday.strategy.sources import RsiRule
from tests.integration.app.paper_kit import paper_config, write_config

SPEED = 30.0
# Enters on most dips of 5-second bars: something to trade (or to refuse) within seconds.
EAGER_RULE = RsiRule(period=3, enter_below=50, exit_above=90)


@dataclass
class Running:
    """A started session and the task serving it (``serve``: its exit code)."""

    session: Session
    serving: asyncio.Task[int]

    async def stop(self, reason: str = "test over") -> int:
        if not self.serving.done():
            self.session.request_stop(reason)
        return await self.serving


StartSession = Callable[..., Awaitable[Running]]


@pytest.fixture
async def simulator() -> AsyncIterator[ExchangeSimulator]:
    async with ExchangeSimulator(SimulatorConfig(speed=SPEED, seed=5)) as sim:
        yield sim


@pytest.fixture
def session_config(tmp_path: Path, sqlite_url: str, simulator: ExchangeSimulator) -> dict[str, Any]:
    """A paper configuration on SQLite; tests change sections before starting a session."""
    return paper_config(
        tmp_path,
        database_url=sqlite_url,
        rest_url=simulator.rest_url,
        ws_public_url=simulator.ws_public_url,
        strategy={"sl_pct": "0.0005", "tp_pct": "0.0007", "entry_timeout_s": 20, "max_holding_s": 240},
        execution={"mode": "paper", "maker_fee": "0.0001", "taker_fee": "0.0002"},
    )


@pytest.fixture
async def start_session(tmp_path: Path, session_config: dict[str, Any]) -> AsyncIterator[StartSession]:
    """``await start_session()``: a started paper session served in the background; every one
    still running is stopped after the test."""
    running: list[Running] = []

    async def start(**options: Any) -> Running:
        options.setdefault("rule", EAGER_RULE)
        path = write_config(tmp_path, session_config)
        session = Session(RunOptions(mode="paper", config_file=path, market_speed=SPEED, **options))
        await session.start()
        run = Running(session, asyncio.create_task(serve(session)))
        running.append(run)
        return run

    yield start
    for run in running:
        await run.stop()

"""Crash safety (issue 7): SIGKILL at every point of an order's life, restart, nothing lost.

One exchange simulator process (``galfriday exchange-sim``, generated market at 1x, a state
file) serves an account per run. Each run starts a live trader (``galfriday run --mode live``'s
``run_session``, RSI(2) on 1-second bars, a bracket a few ticks wide) with
``GALFRIDAY_CRASH_AT=<point>:<nth>`` drawn from the seed; the trader SIGKILLs itself there (the
shutdown points are reached by asking it to stop). A second trader on the same database and
account then reconciles, trades a few seconds and stops on SIGTERM. The simulator's own view —
orders, fills and balances over its private REST API — is then compared with our records
(``_crash_checks``): no lost, duplicated or orphaned order or fill, and the last portfolio
snapshot holds what the exchange holds. Every sixth run uses the real PostgreSQL, the rest SQLite.

Runs go ``LANES`` at a time; ``docs/crash_safety.md`` has the numbers and how to replay one run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from galfriday.core.crashpoints import POINTS
from tests.acceptance._crash_checks import problems, read_exchange, read_records
from tests.acceptance._crash_kit import (
    CrashRun,
    RunOutcome,
    SimProcess,
    account,
    crash_and_restart,
    plan_runs,
)
from tests.conftest import PG_HOST, PG_PORT, PG_USER, require_service

pytestmark = [pytest.mark.postgres]
logger = logging.getLogger(__name__)

SEED = 20240607
PER_POINT = 5  # runs per crash point: 12 points x 5 = 60 runs
LANES = 5
POSTGRES_EVERY = 6
MIN_CRASHED = 50  # runs that really died at their point (a few may end before reaching it)


@contextlib.asynccontextmanager
async def database(folder: Path, run: CrashRun) -> AsyncIterator[str]:
    """SQLite in the run's folder, or a fresh PostgreSQL database dropped afterwards."""
    if not run.postgres:
        yield f"sqlite+aiosqlite:///{folder / 'galfriday.db'}"
        return
    name = f"galfriday_crash_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _one_run(run: CrashRun, sim: SimProcess, root: Path, lanes: asyncio.Semaphore) -> RunOutcome:
    folder = root / f"run-{run.index:03d}"
    folder.mkdir()
    spec = account(run.index)
    async with database(folder, run) as url:
        async with lanes:
            outcome = await crash_and_restart(run, spec, sim, folder, url)
        # Outside the lane: reading the account may wait out Kraken's rate counter the restart used.
        view = await read_exchange(sim.rest_url, spec, folder / "kraken.nonce")
        outcome.problems += problems(view, await read_records(url))
    status = "crashed" if outcome.crashed else f"exit {outcome.first_exit}"
    logger.warning("%s: %s, %d problem(s), %.1fs", run, status, len(outcome.problems), outcome.seconds)
    return outcome


async def test_sigkill_anywhere_in_the_order_lifecycle_loses_duplicates_and_orphans_nothing(
    tmp_path: Path,
) -> None:
    require_service("PostgreSQL", PG_HOST, PG_PORT)
    runs = plan_runs(SEED, PER_POINT, postgres_every=POSTGRES_EVERY)
    began = time.monotonic()
    lanes = asyncio.Semaphore(LANES)
    async with SimProcess(tmp_path, [account(r.index) for r in runs], seed=SEED) as sim:
        outcomes = await asyncio.gather(*(_one_run(run, sim, tmp_path, lanes) for run in runs))
    elapsed = time.monotonic() - began

    crashed = [o for o in outcomes if o.crashed]
    per_point = Counter(o.run.point for o in crashed)
    summary = (
        f"{len(runs)} runs, {len(crashed)} crashed at their point in {elapsed:.0f}s; per point "
        f"{dict(sorted(per_point.items()))}"
    )
    logger.warning("crash campaign: %s", summary)
    failed = [f"{o.run}: {p}" for o in outcomes for p in o.problems]
    assert not failed, f"{summary}\n" + "\n".join(failed)
    assert len(crashed) >= MIN_CRASHED, summary
    assert set(per_point) == set(POINTS), f"some crash points were never reached: {summary}"

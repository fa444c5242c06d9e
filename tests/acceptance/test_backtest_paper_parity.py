"""Backtest ↔ paper parity: the same replay gives the same orders and fills in both environments.

Backtest: the kernel on a SyncBus, the venue fed commands by a bus subscription. Paper
(``backtest.paper``): the very same kernel wiring on the AsyncBus — every handler behind its own
queue and task — with the write-ahead ``OrderJournal`` on SQLite between the kernel and the venue:
each order is written (PENDING_NEW) before the venue sees it, each report before the kernel does.
The clock is a SimClock advanced by the feed (not a LiveClock with a paced replay), settling after
every timer and event, so both environments see each timer at the same market moment; with wall
time, timers would land between different bars from run to run and nothing could be compared.

Limit entries that time out into market orders, cancel latency, take-profits, client-side stops,
time exits and reversals all occur, on 1,000 real XRP 5-minute bars. The sequences of commands
the venue received and reports it sent must be identical, element by element; the database must
hold each order in the state the backtest ended it in, and each fill once.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from galfriday.backtest import BacktestEngine, DataKind, Feed, StrategyKind, StrategySpec
from galfriday.backtest.instruments import backtest_instruments
from galfriday.backtest.paper import run_paper_replay
from galfriday.core.events import CancelOrder, OrderFilled, SubmitOrder
from galfriday.storage.db.database import Database, open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.strategy import SmaCrossRule
from tests.acceptance._backtest_kit import SETTINGS, key, xrp_5m_bars

STRATEGY = StrategySpec(StrategyKind.SMA, sma=SmaCrossRule(10, 30))


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[Database]:
    await upgrade(sqlite_url)
    database = await open_database(sqlite_url)
    yield database
    await database.close()


async def test_a_paper_session_over_the_same_replay_sends_and_fills_the_same_orders(
    database: Database, shared_data: Path
) -> None:
    bars = xrp_5m_bars(shared_data, SETTINGS)[:1000]
    instruments = backtest_instruments(SETTINGS, SETTINGS.pairs)
    backtest = BacktestEngine(SETTINGS, instruments, STRATEGY, seed=3).run(Feed((bars,), DataKind.BARS, 300))
    paper = await run_paper_replay(
        SETTINGS, instruments, STRATEGY, Feed((bars,), DataKind.BARS, 300), database, seed=3
    )

    reasons = Counter(t.exit_reason for t in backtest.trades)
    assert {"TIME_EXIT", "REVERSAL", "SL_HIT", "TP_HIT"} <= set(reasons), reasons
    cancels = Counter(e.reason for e in backtest.venue_log if isinstance(e, CancelOrder))
    assert cancels["entry timeout: the rest goes at market"] > 0 and cancels["oco: stop-loss triggered"] > 0

    assert paper.events == len(bars)
    assert [key(e) for e in paper.recorder.venue_log] == [key(e) for e in backtest.venue_log]

    async with database.engine.connect() as db:
        rows = (await db.execute(sa.text("SELECT client_order_id, status FROM orders"))).fetchall()
        fills = (await db.execute(sa.text("SELECT fill_id FROM fills"))).fetchall()
    statuses = {uuid.UUID(str(cid)): status for cid, status in rows}
    sent = [e for e in backtest.venue_log if isinstance(e, SubmitOrder)]
    assert len(statuses) == len(sent) == len(backtest.orders)
    for order in backtest.orders:
        assert statuses[uuid.UUID(order.client_order_id)] == order.status
    filled = [e.fill_id for e in backtest.venue_log if isinstance(e, OrderFilled)]
    assert sorted(f for (f,) in fills) == sorted(filled) and len(set(filled)) == len(filled)

"""A run's rows in the database: the tables a live session writes, tagged with the run."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from galfriday.backtest import (
    BacktestEngine,
    BacktestResult,
    DataKind,
    Feed,
    StrategyKind,
    StrategySpec,
    open_file,
)
from galfriday.backtest.instruments import backtest_instruments
from galfriday.backtest.persist import db_id, exchange_tag, persist_run, rows_to_write
from galfriday.storage.db.database import Database, open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.strategy import SmaCrossRule
from tests.unit.backtest._kit import permissive

XRP_5M = "freqtrade/ohlcv/XRP_USDT_USDT-5m-futures.feather"


@pytest.fixture(scope="module")
def result(shared_data: Path) -> BacktestResult:
    """Two days of real 5-minute bars: a dozen round trips, hourly snapshots."""
    settings = permissive(
        strategy={"max_holding_s": 7200, "sl_pct": "0.02", "tp_pct": "0.03"},
        portfolio={"snapshot_interval_s": 3600},
    )
    instruments = backtest_instruments(settings, settings.pairs)
    bars = list(open_file(shared_data / XRP_5M, "XRP/USD", instruments["XRP/USD"]))[:576]
    engine = BacktestEngine(settings, instruments, StrategySpec(StrategyKind.SMA, sma=SmaCrossRule(10, 30)))
    return engine.run(Feed((bars,), DataKind.BARS, 300))


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[Database]:
    await upgrade(sqlite_url)
    database = await open_database(sqlite_url)
    yield database
    await database.close()


async def _rows(database: Database, sql: str, **params: object) -> list[sa.Row]:  # type: ignore[type-arg]
    async with database.engine.connect() as connection:
        return list((await connection.execute(sa.text(sql), params)).fetchall())


async def test_every_table_gets_the_runs_rows_tagged_with_it(
    database: Database, result: BacktestResult
) -> None:
    run_id = uuid.uuid4()
    progress: list[int] = []
    record = await persist_run(database, result, run_id, progress=lambda done, _total: progress.append(done))
    tag = exchange_tag(run_id)
    assert progress[-1] == rows_to_write(result)

    signals = await _rows(database, "SELECT status FROM signals WHERE exchange = :tag", tag=tag)
    assert len(signals) == result.signals.proposed == record.signals
    assert sum(1 for (status,) in signals if status == "APPROVED") == result.signals.approved

    orders = await _rows(
        database,
        "SELECT client_order_id, status, exchange_order_id FROM orders WHERE exchange = :tag",
        tag=tag,
    )
    by_id = {uuid.UUID(str(cid)): (status, eid) for cid, status, eid in orders}
    assert len(orders) == len(result.orders)
    for order in result.orders:  # the journal's state machine reached the state the run ended in
        status, eid = by_id[uuid.UUID(db_id(run_id, order.client_order_id))]
        assert status == order.status and eid == f"{tag}:{order.exchange_order_id}"

    fills = await _rows(database, "SELECT commission FROM fills WHERE exchange = :tag", tag=tag)
    assert (
        len(fills) == len(result.fills) and sum(Decimal(str(c)) for (c,) in fills) == result.metrics.fees_paid
    )
    trades = await _rows(database, "SELECT realized_pnl FROM trades WHERE exchange = :tag", tag=tag)
    assert sorted(Decimal(str(p)) for (p,) in trades) == sorted(t.realized_pnl for t in result.trades)

    # a live restart restores from the latest snapshot: a backtest must never leave one behind
    assert await _rows(database, "SELECT snapshot_pk FROM portfolio_snapshots") == []
    assert len(result.snapshots) == 48 and not hasattr(record, "snapshots")

    (log,) = await _rows(
        database, "SELECT context FROM system_logs WHERE source_module = 'galfriday.backtest'"
    )
    context = log[0] if isinstance(log[0], dict) else __import__("json").loads(log[0])
    assert context["run_id"] == str(run_id) and context["exchange_tag"] == tag
    assert context["fingerprint"] == result.fingerprint and context["metrics"]["trades"] == len(result.trades)


async def test_the_same_result_recorded_twice_does_not_collide(
    database: Database, result: BacktestResult
) -> None:
    first = await persist_run(database, result, uuid.uuid4())
    second = await persist_run(database, result, uuid.uuid4())
    assert second.orders == first.orders and second.fills == first.fills
    orders = await _rows(database, "SELECT exchange, count(*) FROM orders GROUP BY exchange")
    assert sorted(n for _, n in orders) == [len(result.orders)] * 2

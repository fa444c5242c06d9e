"""A whole paper session over real sockets, from start to SIGTERM.

``galfriday run --mode paper`` in process (the runtime API the command calls), on:
- public market data from the local exchange simulator's generated market at 30x, over its
  WebSocket (AssetPairs over its REST API);
- the real PostgreSQL (``pg_url``) and the real Redis (``redis_url``, DB 15), DuckDB time series.
A rule strategy (RSI on 5-second bars, tight bracket, low fees) trades until the session has shown
entries, partial fills, take-profit legs, a stop with its OCO cancel and strategy exits; the
control API, ``/metrics`` and ``/health/ready`` answer; then a real SIGTERM stops it, and what it
left behind is checked: every order terminal, every fill once, each trade's P&L equal to its
fills net of fees, time series flushed, Redis showing STOPPED, one trade readable in the log.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
import redis.asyncio as redis
import sqlalchemy as sa

from galfriday.app.runtime import RunOptions, Session, serve
from galfriday.core.events import CancelOrder, Event, OrderFilled, SubmitOrder, TradeClosed
from galfriday.sim.server import ExchangeSimulator, SimulatorConfig
from galfriday.storage.db.engine import create_engine
from galfriday.strategy.sources import RsiRule
from tests.integration.app.paper_kit import HEADERS, paper_config, wait_for, write_config

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SPEED = 30.0
RULE = RsiRule(period=5, enter_below=45, exit_above=75)
# Tight enough that stops and targets are hit within minutes of market time; the fees (low, but
# real) still make every take-profit net positive (the configuration and the strategy check it).
STRATEGY = {"sl_pct": "0.0005", "tp_pct": "0.0007", "entry_timeout_s": 20, "max_holding_s": 240}
EXECUTION = {"mode": "paper", "maker_fee": "0.0001", "taker_fee": "0.0002", "cancel_on_shutdown": True}
TERMINAL = {"FILLED", "CANCELED", "REJECTED", "EXPIRED"}


class Tape:
    """The trading events the session publishes once the test is listening."""

    KINDS = (SubmitOrder, CancelOrder, OrderFilled, TradeClosed)

    def __init__(self) -> None:
        self.events: list[Event] = []

    def attach(self, bus: Any) -> None:
        for kind in self.KINDS:
            bus.subscribe(kind, self.events.append, name=f"test.tape.{kind.__name__}", group="test.tape")

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    def summary(self) -> str:
        reasons = Counter(t.exit_reason.value for t in self.of(TradeClosed))
        fills = Counter(f.client_order_id for f in self.of(OrderFilled))
        purposes = Counter(s.purpose for s in self.of(SubmitOrder))
        cancels = Counter(c.reason for c in self.of(CancelOrder))
        partial = sum(1 for n in fills.values() if n > 1)
        return (
            f"exits {dict(reasons)}, orders {dict(purposes)}, partially filled {partial}, "
            f"cancels {dict(cancels)}"
        )

    def shows_every_behaviour(self) -> bool:
        reasons = {t.exit_reason.value for t in self.of(TradeClosed)}
        fills = Counter(f.client_order_id for f in self.of(OrderFilled))
        purposes = {s.purpose for s in self.of(SubmitOrder)}
        oco = any(c.reason == "oco: stop-loss triggered" for c in self.of(CancelOrder))
        return (
            {"TP_HIT", "SL_HIT"} <= reasons
            and bool(reasons & {"REVERSAL", "TIME_EXIT"})
            and any(n > 1 for n in fills.values())
            and "take_profit" in purposes
            and oco
        )


async def test_a_paper_session_trades_end_to_end_and_stops_cleanly_on_sigterm(
    tmp_path: Path, pg_url: str, redis_url: str
) -> None:
    async with ExchangeSimulator(SimulatorConfig(speed=SPEED, seed=11)) as sim:
        config = paper_config(
            tmp_path,
            database_url=pg_url,
            rest_url=sim.rest_url,
            ws_public_url=sim.ws_public_url,
            redis_url=redis_url,
            strategy=STRATEGY,
            execution=EXECUTION,
        )
        prefix = config["redis"]["key_prefix"]
        options = RunOptions(
            mode="paper", config_file=write_config(tmp_path, config), market_speed=SPEED, rule=RULE
        )
        session = Session(options)
        await session.start()
        assert session.bus is not None and session.api_url is not None
        tape = Tape()
        tape.attach(session.bus)
        fanout = redis.from_url(redis_url)
        pubsub = fanout.pubsub()
        await pubsub.subscribe(f"{prefix}updates")
        updates: list[dict[str, Any]] = []
        listening = asyncio.create_task(_listen(pubsub, updates))
        serving = asyncio.create_task(serve(session))
        try:
            await wait_for(
                tape.shows_every_behaviour,
                150,
                "entries, partial fills, TP legs, stop/OCO and exits",
                progress=tape.summary,
            )
            await _check_the_control_api(session.api_url)
            os.kill(os.getpid(), signal.SIGTERM)
            exit_code = await asyncio.wait_for(serving, 60)
            await asyncio.sleep(0.2)  # the last announcements in flight
        finally:
            if not serving.done():
                session.request_stop("test over")
                await serving
            listening.cancel()
            await pubsub.aclose()
    assert exit_code == 0

    await _check_the_database(pg_url, tape)
    _check_the_time_series(Path(config["timeseries"]["duckdb_path"]))
    _check_one_trade_in_the_log(Path(config["logging"]["json_file"]), tape.of(TradeClosed)[0])
    await _check_redis(fanout, prefix, updates)


async def _check_the_control_api(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        assert (await client.get("/api/status")).status_code == 401
        status = (await client.get("/api/status", headers=HEADERS)).json()
        assert status["mode"] == "paper" and status["system_state"] == "RUNNING" and status["halt"] is None
        assert status["trades_closed"] >= 1 and Decimal(status["portfolio"]["equity"]) > 0
        ready = await client.get("/health/ready", headers=HEADERS)
        assert ready.status_code == 200, ready.text
        metrics = (await client.get("/metrics")).text
    for family in ("galfriday_orders_total", "galfriday_fills_total", "galfriday_equity"):
        assert family in metrics, family
    equity = next(line for line in metrics.splitlines() if line.startswith("galfriday_equity "))
    assert float(equity.split()[1]) > 0


async def _check_the_database(url: str, tape: Tape) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as db:
            orders = (await db.execute(sa.text("SELECT order_pk, client_order_id, status FROM orders"))).all()
            fills = (
                await db.execute(
                    sa.text(
                        "SELECT fill_id, order_pk, trading_pair, side, quantity_filled, fill_price, "
                        "commission, filled_at FROM fills"
                    )
                )
            ).all()
            trades = (
                await db.execute(
                    sa.text(
                        "SELECT signal_id, trading_pair, entry_timestamp, exit_timestamp, realized_pnl, "
                        "total_commission FROM trades"
                    )
                )
            ).all()
            signal_rows = (await db.execute(sa.text("SELECT signal_id, status FROM signals"))).all()
            linked = (
                await db.execute(sa.text("SELECT signal_id FROM orders WHERE signal_id IS NOT NULL"))
            ).all()
            state = (
                await db.execute(
                    sa.text("SELECT message FROM system_logs WHERE message LIKE '%STOPPING -> STOPPED%'")
                )
            ).all()
    finally:
        await engine.dispose()

    # every order ended (canceled at shutdown if still working); every fill recorded exactly once
    assert orders and {row.status for row in orders} <= TERMINAL, Counter(row.status for row in orders)
    fill_ids = [row.fill_id for row in fills]
    assert len(fill_ids) == len(set(fill_ids))
    assert {f.fill_id for f in tape.of(OrderFilled)} <= set(fill_ids)

    # each trade's P&L is its fills' proceeds minus their cost and every fee, to the last digit kept
    assert len(trades) >= len(tape.of(TradeClosed)) >= 3
    for trade in trades:
        legs = [
            f
            for f in fills
            if f.trading_pair == trade.trading_pair
            and trade.entry_timestamp <= f.filled_at <= trade.exit_timestamp
        ]
        bought = sum((f.quantity_filled for f in legs if f.side == "BUY"), Decimal(0))
        sold = sum((f.quantity_filled for f in legs if f.side == "SELL"), Decimal(0))
        assert bought == sold > 0
        proceeds = sum(f.quantity_filled * f.fill_price * (1 if f.side == "SELL" else -1) for f in legs)
        fees = sum((f.commission for f in legs), Decimal(0))
        assert fees == trade.total_commission
        assert abs(trade.realized_pnl - (proceeds - fees)) < Decimal("1e-9"), trade

    # signals -> orders -> fills -> trades: the chain is in the database
    statuses = dict(signal_rows)
    assert all(statuses.get(t.signal_id) == "APPROVED" for t in trades if t.signal_id is not None)
    assert {row.signal_id for row in linked} & {t.signal_id for t in trades}
    assert state, "the STOPPED transition reached system_logs"


def _check_the_time_series(path: Path) -> None:
    with duckdb.connect(str(path), read_only=True) as con:
        counts = {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
            for table in ("market_data_l2", "market_data_ohlcv", "portfolio_metrics", "system_metrics")
        }
    assert all(n > 0 for n in counts.values()), counts


def _check_one_trade_in_the_log(path: Path, trade: TradeClosed) -> None:
    assert trade.signal_id is not None
    lines = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if trade.signal_id in line
    ]
    story = [line["message"] for line in lines if line.get("correlation_id") == trade.signal_id]
    for step in (
        "proposed",
        "approved by risk",
        "requested",
        "accepted by the exchange",
        "FILLED",
        "closed (",
    ):
        assert any(step in message for message in story), (step, story)
    proposal = next(line for line in lines if line.get("event") == "SignalProposed")
    assert proposal["origin_correlation_id"] and proposal["buy_threshold"] is not None
    approval = next(line for line in lines if line.get("event") == "SignalApproved")
    assert approval["risk_checks"]["final"]["qty"]


async def _listen(pubsub: Any, into: list[dict[str, Any]]) -> None:
    async for message in pubsub.listen():
        if message["type"] == "message":
            into.append(json.loads(message["data"]))


async def _check_redis(client: Any, prefix: str, updates: list[dict[str, Any]]) -> None:
    try:
        status = json.loads(await client.get(f"{prefix}status"))
        positions = await client.hgetall(f"{prefix}positions")
        portfolio = json.loads(await client.get(f"{prefix}portfolio"))
    finally:
        keys = [key async for key in client.scan_iter(f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
    assert status["system_state"] == "STOPPED" and status["mode"] == "paper"
    assert positions and portfolio["type"] == "PortfolioSnapshotTaken"
    assert {"SystemStateChanged", "PositionChanged", "TradeClosed"} <= {u["type"] for u in updates}
    assert uuid.UUID(json.loads(next(iter(positions.values())))["event_id"])

"""``galfriday run --mode live`` against the exchange simulator's private API (REST and WS v2):
the ledger starts from the account's balances, reconciliation runs before RUNNING, and an open
order on the account that is not ours refuses the start."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from galfriday.app.runtime import RunOptions, Session, serve
from galfriday.app.runtime.errors import StartRefused
from galfriday.core.instruments import default_instruments
from galfriday.core.types import OrderType, Side
from galfriday.kraken.orders_wire import AddOrderRequest, AddOrderResult
from galfriday.kraken.rest_private import KrakenPrivateClient
from galfriday.sim.server import AccountSpec, ExchangeSimulator, SimulatorConfig
from galfriday.storage.db.database import open_migrated_database
from galfriday.storage.db.records import NewPortfolioSnapshot
from galfriday.storage.db.repositories import PortfolioSnapshotRepository
from tests.integration.app.conftest import EAGER_RULE
from tests.integration.app.paper_kit import paper_config, write_config
from tests.integration.sim.conftest import MemoryNonces

ACCOUNT = AccountSpec(
    name="live",
    api_key="live-runtime-key",
    secret=base64.b64encode(b"live-runtime-secret" * 4).decode(),
    tier="pro",
    balances={"USD": Decimal(20_000), "XRP": Decimal(0), "DOGE": Decimal(0)},
)


@pytest.fixture
async def exchange() -> Any:
    async with ExchangeSimulator(SimulatorConfig(speed=1.0, seed=8, accounts=(ACCOUNT,))) as sim:
        yield sim


def _live_config(tmp_path: Path, sqlite_url: str, sim: ExchangeSimulator, **sections: Any) -> Path:
    config = paper_config(
        tmp_path,
        database_url=sqlite_url,
        rest_url=sim.rest_url,
        ws_public_url=sim.ws_public_url,
        execution={"mode": "live", "dead_man_switch_s": 60},
        **sections,
    )
    config["exchange"].update(
        api_key=ACCOUNT.api_key,
        api_secret=ACCOUNT.secret,
        ws_private_url=sim.ws_private_url,
        api_tier="pro",
        nonce_file=str(tmp_path / "kraken.nonce"),
    )
    return write_config(tmp_path, config)


async def test_a_live_session_starts_from_the_account_reconciles_and_stops(
    tmp_path: Path, sqlite_url: str, exchange: ExchangeSimulator
) -> None:
    session = Session(
        RunOptions(mode="live", config_file=_live_config(tmp_path, sqlite_url, exchange), rule=EAGER_RULE)
    )
    await session.start()
    assert session.portfolio is not None and session.venue is not None
    assert session.portfolio.ledger.quote_cash == Decimal(20_000)
    assert session.venue.description.startswith("live: Kraken")
    assert session.running and session.halt is not None and not session.halt.is_halted
    assert exchange.exchange.accounts[ACCOUNT.api_key].deadman_at_ns is not None  # the switch is armed
    session.request_stop("test over")
    assert await serve(session) == 0


def _other_client(exchange: ExchangeSimulator) -> KrakenPrivateClient:
    """Another program using the same account."""
    return KrakenPrivateClient(exchange.rest_url, ACCOUNT.api_key, ACCOUNT.secret, MemoryNonces(), tier="pro")


async def _foreign_order(client: KrakenPrivateClient) -> AddOrderResult:
    """A resting XRP buy far below the market that this system did not place."""
    request = AddOrderRequest(
        instrument=default_instruments()["XRP/USD"],
        side=Side.BUY,
        order_type=OrderType.LIMIT,
        qty=Decimal(100),
        limit_price=Decimal("0.10000"),
    )
    return await client.add_order(request)


async def test_a_foreign_open_order_refuses_the_start(
    tmp_path: Path, sqlite_url: str, exchange: ExchangeSimulator
) -> None:
    async with _other_client(exchange) as other:
        await _foreign_order(other)
    session = Session(RunOptions(mode="live", config_file=_live_config(tmp_path, sqlite_url, exchange)))
    with pytest.raises(StartRefused, match="reconcil"):
        await session.start()


async def test_with_foreign_orders_set_to_cancel_the_start_cancels_it_and_trades(
    tmp_path: Path, sqlite_url: str, exchange: ExchangeSimulator
) -> None:
    async with _other_client(exchange) as other:
        placed = await _foreign_order(other)
        cancel_foreign = {"reconcile_foreign_orders": "cancel"}
        config = _live_config(tmp_path, sqlite_url, exchange, portfolio=cancel_foreign)
        session = Session(RunOptions(mode="live", config_file=config))
        await session.start()
        try:
            assert session.running and session.halt is not None and not session.halt.is_halted
            still_open = await other.open_orders()
        finally:
            session.request_stop("test over")
            assert await serve(session) == 0
    assert placed.txid not in {o.txid for o in still_open}


async def test_a_restart_remembers_todays_drawdown(
    tmp_path: Path, sqlite_url: str, exchange: ExchangeSimulator
) -> None:
    """The last run's final snapshot says equity peaked at 21,000 today (the account now holds
    20,000): the restarted session's daily drawdown is 1/21, not zero."""
    config = _live_config(tmp_path, sqlite_url, exchange)
    database, _ = await open_migrated_database(sqlite_url)
    try:
        await PortfolioSnapshotRepository(database.sessions).insert(
            NewPortfolioSnapshot(
                snapshot_timestamp=datetime.now(UTC),
                total_equity=Decimal(21_000),
                available_balance=Decimal(21_000),
                total_exposure_pct=0.0,
                daily_drawdown_pct=0.0,
                weekly_drawdown_pct=0.0,
                total_drawdown_pct=0.0,
                positions=[],
            )
        )
    finally:
        await database.close()
    session = Session(RunOptions(mode="live", config_file=config))
    await session.start()
    try:
        assert session.portfolio is not None
        drawdowns = session.portfolio.drawdowns()
    finally:
        session.request_stop("test over")
        assert await serve(session) == 0
    assert drawdowns.daily == drawdowns.total == Decimal(1000) / Decimal(21_000)

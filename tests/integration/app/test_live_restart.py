"""A live session restarting after a crash between AddOrder and its acknowledgement, against the
exchange simulator's private API: the order filled on Kraken, our row still says PENDING_NEW.

What the crash campaign found here, each asserted below:
- the start was refused: the ledger came from the account's balances (which hold the fill), then
  reconciliation published the fill and the portfolio booked it a second time — a balance mismatch;
- the bought coins were cash, not a position: no exposure, no HALT close, a second entry allowed;
- nothing took the position over: no stop, no take-profit, and the clean stop left nothing canceled.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from galfriday.app.runtime import RunOptions, Session, serve
from galfriday.core.events import new_id
from galfriday.core.instruments import default_instruments
from galfriday.core.types import OrderStatus, OrderType, Side
from galfriday.kraken.orders_wire import AddOrderRequest
from galfriday.kraken.rest_private import KrakenPrivateClient
from galfriday.sim.server import AccountSpec, ExchangeSimulator, SimulatorConfig
from galfriday.storage.db.database import open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.storage.db.records import NewOrder
from galfriday.storage.db.repositories import FillRepository, OrderRepository, PortfolioSnapshotRepository
from galfriday.strategy.sources import RsiRule
from tests.integration.app.paper_kit import paper_config, wait_for, write_config
from tests.integration.sim.conftest import MemoryNonces

ACCOUNT = AccountSpec(
    name="restart",
    api_key="live-restart-key",
    secret=base64.b64encode(b"live-restart-secret" * 4).decode(),
    tier="pro",
    balances={"USD": Decimal(20_000), "XRP": Decimal(0), "DOGE": Decimal(0)},
)
QUIET = RsiRule(period=14, enter_below=1, exit_above=99)  # on 60 s bars: no entry within the test
BOUGHT = Decimal(60)


@pytest.fixture
async def exchange() -> object:
    async with ExchangeSimulator(SimulatorConfig(speed=1.0, seed=11, accounts=(ACCOUNT,))) as sim:
        yield sim


def _config(tmp_path: Path, sqlite_url: str, sim: ExchangeSimulator) -> Path:
    config = paper_config(
        tmp_path,
        database_url=sqlite_url,
        rest_url=sim.rest_url,
        ws_public_url=sim.ws_public_url,
        execution={"mode": "live", "dead_man_switch_s": 60},
        market_data={"bar_interval_s": 60, "stale_after_s": 600, "heartbeat_timeout_s": 15},
    )
    config["exchange"].update(
        api_key=ACCOUNT.api_key,
        api_secret=ACCOUNT.secret,
        ws_private_url=sim.ws_private_url,
        api_tier="pro",
        nonce_file=str(tmp_path / "kraken.nonce"),
    )
    return write_config(tmp_path, config)


async def _crashed_after_add_order(sqlite_url: str, sim: ExchangeSimulator) -> uuid.UUID:
    """The dead process's traces: its PENDING_NEW row, and its market buy filled on Kraken."""
    await upgrade(sqlite_url)
    database = await open_database(sqlite_url)
    cid = uuid.UUID(new_id())
    try:
        await OrderRepository(database.sessions).insert_intent(
            NewOrder(
                client_order_id=cid,
                signal_id=None,
                trading_pair="XRP/USD",
                exchange="kraken",
                side=Side.BUY,
                order_type=OrderType.MARKET,
                quantity_ordered=BOUGHT,
                created_at=datetime.now(UTC) - timedelta(seconds=60),
            )
        )
    finally:
        await database.close()
    async with KrakenPrivateClient(
        sim.rest_url, ACCOUNT.api_key, ACCOUNT.secret, MemoryNonces(), tier="pro"
    ) as client:
        await client.add_order(
            AddOrderRequest(
                instrument=default_instruments()["XRP/USD"],
                side=Side.BUY,
                order_type=OrderType.MARKET,
                qty=BOUGHT,
                cl_ord_id=str(cid),
            )
        )
    account = sim.exchange.accounts[ACCOUNT.api_key]
    await wait_for(lambda: account.account.total("XRP") == BOUGHT, 10, "the fill")
    return cid


async def test_a_restart_books_the_unrecorded_fill_once_and_takes_the_position_over(
    tmp_path: Path, sqlite_url: str, exchange: ExchangeSimulator
) -> None:
    cid = await _crashed_after_add_order(sqlite_url, exchange)
    config = _config(tmp_path, sqlite_url, exchange)
    session = Session(RunOptions(mode="live", config_file=config, rule=QUIET))
    await session.start()  # was: StartRefused, balance mismatch (the fill booked twice)
    assert session.portfolio is not None and session.execution is not None
    assert session.portfolio.open_positions() == {"XRP/USD": BOUGHT}  # was: XRP as cash, no position
    bracket = session.execution.bracket("XRP/USD")
    assert bracket is not None and bracket.held == BOUGHT  # was: nothing watched it
    orders = OrderRepository(session.database.sessions)
    row = await orders.get_by_client_order_id(cid)
    assert row is not None and row.status is OrderStatus.FILLED
    fills = await FillRepository(session.database.sessions).list_by_order(row.order_pk)
    assert sum((f.quantity_filled for f in fills), Decimal(0)) == BOUGHT
    assert session.portfolio.ledger.positions["XRP/USD"].avg_price == fills[0].fill_price  # Kraken's buy
    ledger = exchange.exchange.accounts[ACCOUNT.api_key].ledger
    await wait_for(lambda: any(ledger.open_orders()), 10, "the take-profit leg on the exchange")
    (leg,) = list(ledger.open_orders())
    assert (leg.side, leg.order_type, leg.qty) == (Side.SELL, OrderType.LIMIT, BOUGHT)
    session.request_stop("test over")
    assert await serve(session) == 0
    assert not any(ledger.open_orders())  # the leg was canceled at the stop
    database = await open_database(sqlite_url)
    try:
        snapshot = await PortfolioSnapshotRepository(database.sessions).latest()
    finally:
        await database.close()
    assert snapshot is not None
    assert [(p["pair"], Decimal(p["qty"])) for p in snapshot.positions] == [("XRP/USD", BOUGHT)]

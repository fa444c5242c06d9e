"""Where a paper session starts from: the last run's portfolio, and a venue that matches it.

The portfolio comes back from the latest ``portfolio_snapshots`` row (``state_from_snapshot``:
cash, positions at their average price, the drawdown peaks); shutdown writes a final snapshot, so
a clean restart continues exactly. Without a snapshot it starts with ``portfolio.initial_cash``.

The simulated venue of a paper session lives in memory: its orders end with the process. Orders
the database still shows open from an earlier paper run can therefore never fill or be canceled;
they are closed as CANCELED ("paper venue restarted") so the record stays truthful, and the
simulated account is funded with exactly what the restored ledger holds.

Live sessions take their portfolio from the exchange (reconciliation), never from a snapshot a
paper run may have written: use one database per mode.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from galfriday.config.schema import Settings
from galfriday.core.clock import Clock
from galfriday.core.instruments import Instrument
from galfriday.core.types import OrderStatus
from galfriday.portfolio.manager import PortfolioManager, Publish
from galfriday.sim.matching import Account
from galfriday.storage.db.database import Database
from galfriday.storage.db.repositories import OrderRepository, PortfolioSnapshotRepository
from galfriday.storage.recorders.portfolio_snapshots import state_from_snapshot

logger = logging.getLogger(__name__)

PAPER_VENUE_RESTARTED = "paper venue restarted: the simulated order ended with the previous session"


async def restore_portfolio(
    settings: Settings,
    database: Database,
    instruments: dict[str, Instrument],
    clock: Clock,
    publish: Publish,
) -> PortfolioManager:
    latest = await PortfolioSnapshotRepository(database.sessions).latest()
    if latest is None:
        logger.info(
            "no portfolio snapshot yet: starting with %s %s",
            settings.portfolio.initial_cash,
            settings.portfolio.quote_currency,
        )
        return PortfolioManager(settings.portfolio, instruments, clock, publish)
    state = state_from_snapshot(latest, settings.portfolio.quote_currency)
    manager = PortfolioManager.from_state(state, settings.portfolio, instruments, clock, publish)
    logger.info(
        "portfolio restored from the snapshot of %s: equity %s, positions %s",
        latest.snapshot_timestamp.isoformat(),
        latest.total_equity,
        manager.open_positions() or "none",
    )
    if manager.open_positions():
        logger.warning(
            "positions %s are held from the previous run: they are taken over with their signal's "
            "stop and take-profit before market data starts (runtime.takeover)",
            manager.open_positions(),
        )
    return manager


def paper_account(portfolio: PortfolioManager, instruments: dict[str, Instrument]) -> Account:
    """A simulated account holding what the ledger holds: quote cash and each position's base."""
    ledger = portfolio.ledger
    balances: dict[str, Decimal] = {ledger.quote: ledger.quote_cash}
    for pair, qty in ledger.open_positions().items():
        if qty > 0:
            base = instruments[pair].base
            balances[base] = balances.get(base, Decimal(0)) + qty
    return Account(balances)


#: the ``exchange`` column value of a paper session's signals, orders, fills and trades
PAPER_EXCHANGE_TAG = "paper"


async def close_orphaned_paper_orders(database: Database) -> int:
    """Mark orders a previous paper session left open as CANCELED; returns how many.

    Only paper orders: a live session's open orders may share the database and are reconciled
    with Kraken, never touched here."""
    orders = OrderRepository(database.sessions)
    now = datetime.now(UTC)
    open_orders = await orders.list_open(exchange=PAPER_EXCHANGE_TAG)
    for order in open_orders:
        await orders.update(
            uuid.UUID(str(order.client_order_id)),
            status=OrderStatus.CANCELED,
            at=now,
            error_message=PAPER_VENUE_RESTARTED,
        )
    if open_orders:
        logger.warning(
            "%d order(s) left open by the previous paper session marked CANCELED (%s)",
            len(open_orders),
            PAPER_VENUE_RESTARTED,
        )
    return len(open_orders)

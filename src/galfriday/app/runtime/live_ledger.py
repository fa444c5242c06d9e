"""Where a live session's portfolio starts: the account's balances, and the fills they already hold.

Balances. The quote currency is cash; every traded base is a *position* (the account is this
system's alone and spot is long-only), so exposure, drawdown, the strategy's one-position-per-pair
rule and a HALT's close all see what a crash left on the account. Its cost is the average price
of the latest buys that make it up: Kraken's trades read below (they include the fills a crash
kept from our records), else our own entry's fills (``PositionHistory``) for an older position;
coins neither explains start at cost 0.

The fills the balances already hold. A process killed between a fill on Kraken and its journal
record leaves that fill for reconciliation, which records it and publishes it at the next start —
but the balances read at that start already include it, and booking it again would double it
(and refuse the start on a balance mismatch). So the account's trades are read before and after
``Balance`` until both reads agree: the balances then hold exactly those trades, and the portfolio
starts having *seen* them (``recent_fill_ids``). A fill made after that read is booked as usual.
The trades are read from the start of the reconciliation window, which covers every fill our
records may lack.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from galfriday.app.runtime.errors import StartRefused
from galfriday.config.schema import Settings
from galfriday.core.clock import Clock
from galfriday.core.instruments import Instrument
from galfriday.core.types import Side
from galfriday.execution.reconcile_report import ReconcileOptions
from galfriday.execution.reconciliation import reconcile_window_start
from galfriday.kraken.orders_wire import KrakenTrade
from galfriday.kraken.rest_private import KrakenPrivateClient
from galfriday.kraken.rest_public import KrakenError
from galfriday.kraken.venue_assets import spot_balance
from galfriday.kraken.venue_history import trades_since
from galfriday.portfolio.drawdown import DrawdownTracker
from galfriday.portfolio.ledger import Ledger
from galfriday.portfolio.manager import PortfolioManager, Publish
from galfriday.portfolio.position import Position
from galfriday.portfolio.state import STATE_VERSION, ledger_to_json
from galfriday.storage.db.database import Database
from galfriday.storage.db.repositories import (
    OrderRepository,
    PortfolioSnapshotRepository,
    ReconciliationRepository,
)
from galfriday.storage.recorders.portfolio_snapshots import state_from_snapshot
from galfriday.storage.recorders.positions import PositionHistory
from galfriday.storage.recorders.write_behind import utc_datetime

logger = logging.getLogger(__name__)

CONSISTENT_READ_ATTEMPTS = 5


async def live_portfolio(
    client: KrakenPrivateClient,
    settings: Settings,
    instruments: Mapping[str, Instrument],
    database: Database,
    clock: Clock,
    publish: Publish,
) -> PortfolioManager:
    """The portfolio a live session starts with; raises ``StartRefused`` if Kraken cannot be read."""
    options = ReconcileOptions.from_settings(settings.portfolio, exchange=settings.exchange.name)
    sessions = database.sessions
    now = utc_datetime(clock.timestamp_ns())
    since = await reconcile_window_start(
        OrderRepository(sessions), ReconciliationRepository(sessions), options, now
    )
    try:
        balances, trades = await _consistent_read(client, int(since.timestamp()), options.max_pages)
    except KrakenError as exc:
        raise StartRefused(
            f"cannot read the account's balances and trades from Kraken ({exc}): check the API key's "
            "permissions and the network, then start again"
        ) from exc
    history = PositionHistory(sessions, exchange=settings.exchange.name)
    ledger = await _ledger(balances, trades, settings.portfolio.quote_currency, instruments, history)
    seen = [t.txid for t in trades]
    logger.info(
        "live ledger from Kraken's balances: cash %s %s, positions %s; %d fill(s) already in them",
        ledger.quote_cash,
        ledger.quote,
        {pair: str(qty) for pair, qty in ledger.open_positions().items()} or "none",
        len(seen),
    )
    state: dict[str, Any] = {
        "version": STATE_VERSION,
        "ledger": ledger_to_json(ledger),
        "trades": {},
        "reservations": {},
        "order_tags": {},
        "drawdown": await _drawdown_so_far(sessions, ledger.equity(), clock.timestamp_ns(), ledger.quote),
        "recent_fill_ids": seen,
    }
    return PortfolioManager.from_state(state, settings.portfolio, instruments, clock, publish)


async def _drawdown_so_far(sessions: Any, equity: Decimal, now_ns: int, quote: str) -> dict[str, Any]:
    """The drawdown peaks continue from the last run's final snapshot: a restart (or a crash loop)
    must not forget today's and this week's losses, or the daily and weekly HALTs never fire."""
    latest = await PortfolioSnapshotRepository(sessions).latest()
    if latest is None:
        return DrawdownTracker(equity, now_ns).to_json()
    tracker = DrawdownTracker.from_json(state_from_snapshot(latest, quote)["drawdown"])
    tracker.update(equity, now_ns)  # a new day or week since the snapshot starts from its equity
    drawdowns = tracker.drawdowns(now_ns)
    logger.info(
        "drawdown continues from the snapshot of %s: daily %.2f %%, weekly %.2f %%, total %.2f %%",
        latest.snapshot_timestamp.isoformat(),
        drawdowns.daily * 100,
        drawdowns.weekly * 100,
        drawdowns.total * 100,
    )
    return tracker.to_json()


async def _consistent_read(
    client: KrakenPrivateClient, since_s: int, max_pages: int
) -> tuple[dict[str, Decimal], list[KrakenTrade]]:
    """Balances and the trades they include: trades, Balance, trades again, until both agree."""
    before = await trades_since(client, since_s, max_pages=max_pages)
    for _ in range(CONSISTENT_READ_ATTEMPTS):
        balances = await client.balance()
        after = await trades_since(client, since_s, max_pages=max_pages)
        if [t.txid for t in after] == [t.txid for t in before]:
            return balances, after
        before = after  # something traded meanwhile: read the balances again
    raise StartRefused(
        f"the account kept trading while its balances were read ({CONSISTENT_READ_ATTEMPTS} attempts): "
        "an order still working from another process? Stop it, then start again"
    )


async def _ledger(
    balances: Mapping[str, Decimal],
    trades: Sequence[KrakenTrade],
    quote: str,
    instruments: Mapping[str, Instrument],
    history: PositionHistory,
) -> Ledger:
    ledger = Ledger(quote, {quote: spot_balance(balances, quote)})
    held_by: dict[str, str] = {}  # base -> the pair whose position holds it
    for pair, instrument in sorted(instruments.items()):
        if instrument.quote == quote:
            held_by.setdefault(instrument.base, pair)
    for base, pair in held_by.items():
        held = spot_balance(balances, base)
        if held <= 0:
            continue
        price = _latest_buys_price(instruments[pair], held, trades)
        if price is None:
            entry = await history.latest(pair, Side.BUY)
            price = None if entry is None else entry.average_entry_price(Side.BUY)
        ledger.positions[pair] = Position(pair, qty=held, cost=held * price if price else Decimal(0))
        if price is None:
            logger.warning("%s: %s %s held, but no entry of ours bought it: cost 0", pair, held, base)
    return ledger


def _latest_buys_price(
    instrument: Instrument, held: Decimal, trades: Sequence[KrakenTrade]
) -> Decimal | None:
    """The average price of the newest buys of the pair that add up to ``held`` (None: too few)."""
    names = {instrument.symbol, instrument.rest_pair_id, instrument.altname}
    qty = cost = Decimal(0)
    for trade in sorted(trades, key=lambda t: t.time_ns, reverse=True):
        if trade.pair not in names or trade.side is not Side.BUY:
            continue
        take = min(trade.qty, held - qty)
        qty, cost = qty + take, cost + take * trade.price
        if qty >= held:
            return cost / qty
    return None

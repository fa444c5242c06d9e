"""What a crash run must leave behind, checked against the exchange simulator's own view.

After the crash and a clean restart-and-stop, for one account:
- no lost order: every order Kraken has carries one of our client order ids, and our row for it
  names the same txid and the same outcome;
- no duplicate: no two Kraken orders share a client order id (no intent was sent twice), and
  every Kraken fill is recorded exactly once, on the right order, to the right quantity;
- no orphan: nothing is open on Kraken (the clean stop cancels what it manages, so anything
  still open is managed by nobody), and no row is left open (PENDING_NEW, NEW, ...) in ours;
- money: the last portfolio snapshot (taken at the clean stop) holds what Kraken holds: its cash
  is the quote balance, its positions are the base balances;
- reconciliation: every run the restarts made ended ``ok``.

Each check returns the problems it found as sentences; an empty list is a clean run.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from galfriday.core.instruments import Instrument, default_instruments
from galfriday.core.types import OrderStatus
from galfriday.kraken.nonce import FileNonceSource
from galfriday.kraken.orders_wire import KrakenOrder, KrakenTrade
from galfriday.kraken.rate_limit import RetryPolicy
from galfriday.kraken.rest_private import KrakenPrivateClient
from galfriday.kraken.venue_assets import spot_balance
from galfriday.kraken.venue_history import closed_orders_since, trades_since
from galfriday.sim.server import AccountSpec
from galfriday.storage.db.engine import create_engine
from galfriday.storage.db.models import FillRow, OrderRow, PortfolioSnapshotRow
from galfriday.storage.db.models_reconciliation import ReconciliationRunRow

QUOTE = "USD"
CASH_TOLERANCE = Decimal("0.01")  # what reconciliation itself allows (Kraken rounds fees)
OPEN = {s.value for s in OrderStatus if s.is_open}
# The restart that just stopped used much of the account's REST counter: wait it out, however long.
PATIENT = RetryPolicy(max_attempts=12, base_delay_s=1.0, max_delay_s=4.0)


@dataclass(frozen=True, slots=True)
class ExchangeView:
    orders: dict[str, KrakenOrder]  # txid -> order, open and closed
    trades: list[KrakenTrade]
    balances: dict[str, Decimal]


@dataclass(frozen=True, slots=True)
class Records:
    orders: list[OrderRow]
    fills: list[FillRow]
    snapshot: PortfolioSnapshotRow | None
    reconciliations: list[ReconciliationRunRow]


async def read_exchange(rest_url: str, spec: AccountSpec, nonce_file: Path) -> ExchangeView:
    """The account as Kraken (the simulator) sees it, through our own client and nonce file."""
    async with KrakenPrivateClient(
        rest_url, spec.api_key, spec.secret, FileNonceSource(nonce_file), tier=spec.tier, retry=PATIENT
    ) as client:
        orders = {o.txid: o for o in await client.open_orders(trades=True)}
        for order in await closed_orders_since(client, 0):
            orders[order.txid] = order
        trades = await trades_since(client, 0)
        balances = await client.balance()
    return ExchangeView(orders, trades, balances)


async def read_records(database_url: str) -> Records:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as db:
            orders = (await db.execute(sa.select(OrderRow))).all()
            fills = (await db.execute(sa.select(FillRow))).all()
            snapshot = (
                await db.execute(
                    sa.select(PortfolioSnapshotRow).order_by(PortfolioSnapshotRow.snapshot_pk.desc()).limit(1)
                )
            ).first()
            runs = (await db.execute(sa.select(ReconciliationRunRow))).all()
    finally:
        await engine.dispose()
    return Records(list(orders), list(fills), snapshot, list(runs))  # type: ignore[arg-type]


def problems(view: ExchangeView, records: Records) -> list[str]:
    return [
        *orders_match(view, records),
        *fills_match(view, records),
        *money_matches(view, records, default_instruments()),
        *reconciliations_ok(records),
    ]


def orders_match(view: ExchangeView, records: Records) -> list[str]:
    found: list[str] = []
    rows = {str(r.client_order_id): r for r in records.orders}
    per_cid = Counter(o.cl_ord_id for o in view.orders.values())
    for cid, n in per_cid.items():
        if n > 1:
            found.append(f"duplicate: {n} exchange orders carry client order id {cid}")
    for order in view.orders.values():
        if order.is_open:
            found.append(f"orphan: {order.txid} ({order.cl_ord_id}) is still open on the exchange")
        row = rows.get(order.cl_ord_id or "")
        if row is None:
            found.append(f"lost: exchange order {order.txid} ({order.cl_ord_id}) has no row")
            continue
        if row.exchange_order_id != order.txid:
            found.append(
                f"lost: row {order.cl_ord_id} names {row.exchange_order_id}, the exchange {order.txid}"
            )
        if row.status != order.order_status.value:
            found.append(
                f"wrong status: {order.cl_ord_id} is {row.status} here, {order.order_status} on the exchange"
            )
    on_exchange = {o.cl_ord_id for o in view.orders.values()}
    for cid, row in rows.items():
        if row.status in OPEN:
            found.append(f"orphan: row {cid} is still {row.status}")
        elif row.status != OrderStatus.REJECTED.value and cid not in on_exchange:
            found.append(f"invented: row {cid} is {row.status}, the exchange never had it")
    return found


def fills_match(view: ExchangeView, records: Records) -> list[str]:
    found: list[str] = []
    per_id = Counter(f.fill_id for f in records.fills)
    for fill_id, n in per_id.items():
        if n > 1:
            found.append(f"duplicate: fill {fill_id} recorded {n} times")
    recorded = {f.fill_id: f for f in records.fills}
    txid_of = {r.order_pk: r.exchange_order_id for r in records.orders}
    for trade in view.trades:
        fill = recorded.get(trade.txid)
        if fill is None:
            found.append(f"lost: fill {trade.txid} of {trade.order_txid} ({trade.qty}) is not recorded")
        elif txid_of.get(fill.order_pk) != trade.order_txid or fill.quantity_filled != trade.qty:
            found.append(f"wrong fill: {trade.txid} recorded on another order or quantity")
    known = {t.txid for t in view.trades}
    found += [f"invented: fill {f} is not on the exchange" for f in recorded if f not in known]
    filled: dict[str, Decimal] = defaultdict(Decimal)
    for trade in view.trades:
        filled[trade.order_txid] += trade.qty
    for order in view.orders.values():
        if filled[order.txid] != order.filled_qty:
            found.append(
                f"exchange: {order.txid} filled {order.filled_qty}, its trades sum {filled[order.txid]}"
            )
    return found


def money_matches(view: ExchangeView, records: Records, instruments: Mapping[str, Instrument]) -> list[str]:
    snapshot = records.snapshot
    if snapshot is None:
        return ["no portfolio snapshot was written"]
    positions = {p["pair"]: p for p in snapshot.positions}
    market_value = sum((Decimal(p["market_value"]) for p in positions.values()), Decimal(0))
    found = []
    cash, kraken_cash = snapshot.total_equity - market_value, spot_balance(view.balances, QUOTE)
    if abs(cash - kraken_cash) > CASH_TOLERANCE:
        found.append(f"money: the snapshot's cash is {cash}, the exchange holds {kraken_cash} {QUOTE}")
    for pair, instrument in instruments.items():
        held = Decimal(positions[pair]["qty"]) if pair in positions else Decimal(0)
        kraken_held = spot_balance(view.balances, instrument.base)
        if abs(held - kraken_held) > instrument.lot:
            found.append(
                f"money: the snapshot holds {held} {pair}, the exchange {kraken_held} {instrument.base}"
            )
    return found


def reconciliations_ok(records: Records) -> list[str]:
    return [
        f"reconciliation {r.run_id} ({r.trigger}) ended {r.status}: {r.error or r.counts}"
        for r in records.reconciliations
        if r.status != "ok"
    ]

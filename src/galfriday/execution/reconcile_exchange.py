"""What Kraken says, read once per reconciliation run: orders and fills since the window start.

The exchange is read *before* our records: an order placed after these reads is then at most a
young PENDING_NEW (left alone for ``pending_grace_s``) or an acknowledged order not in the view
(looked up by txid), never a false "orphan". OpenOrders comes before ClosedOrders, so an order
that closes between the two calls is in at least one of them. Fills whose order is in neither
(it was placed and filled after those calls) have their order looked up, so every fill can be
paired with its order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from galfriday.kraken.orders_wire import ClosedOrdersPage, KrakenOrder, KrakenTrade
from galfriday.kraken.venue_history import HistoryReader, closed_orders_since, query_all, trades_since

NS_PER_S = 1_000_000_000


class KrakenAccount(HistoryReader, Protocol):
    """The calls reconciliation makes (``KrakenPrivateClient`` has them all)."""

    async def open_orders(
        self, *, cl_ord_id: str | None = None, userref: int | None = None, trades: bool = False
    ) -> tuple[KrakenOrder, ...]: ...

    async def closed_orders(
        self,
        *,
        cl_ord_id: str | None = None,
        start: int | str | None = None,
        ofs: int | None = None,
        trades: bool = False,
    ) -> ClosedOrdersPage: ...

    async def balance(self) -> dict[str, Decimal]: ...

    async def cancel_order(self, *, txid: str | None = None, cl_ord_id: str | None = None) -> int: ...


@dataclass(frozen=True, slots=True)
class ExchangeView:
    orders: dict[str, KrakenOrder]  # txid -> order: open ones, and those closed in the window
    fills: dict[str, list[KrakenTrade]]  # order txid -> its fills in the window, oldest first

    def by_cl_ord_id(self) -> dict[str, list[KrakenOrder]]:
        found: dict[str, list[KrakenOrder]] = defaultdict(list)
        for order in self.orders.values():
            if order.cl_ord_id:
                found[order.cl_ord_id].append(order)
        return found


async def read_exchange(client: KrakenAccount, since_s: int, *, max_pages: int) -> ExchangeView:
    orders = {o.txid: o for o in await client.open_orders(trades=True)}
    for order in await closed_orders_since(client, since_s, max_pages=max_pages):
        orders[order.txid] = order  # closed since OpenOrders answered: the later word wins
    trades = await trades_since(client, since_s, max_pages=max_pages)
    unknown = sorted({t.order_txid for t in trades} - orders.keys())
    for order in await query_all(client, unknown):
        orders[order.txid] = order
    fills: dict[str, list[KrakenTrade]] = defaultdict(list)
    for trade in trades:
        fills[trade.order_txid].append(trade)
    return ExchangeView(orders, dict(fills))


async def fills_of(
    client: HistoryReader, order: KrakenOrder, *, clock_skew_s: float, max_pages: int
) -> list[KrakenTrade]:
    """Every fill of ``order``, read from just before it opened (for fills older than the window)."""
    start_s = int(order.open_ns / NS_PER_S - clock_skew_s)
    return [t for t in await trades_since(client, start_s, max_pages=max_pages) if t.order_txid == order.txid]

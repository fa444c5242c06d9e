"""Catching up on orders whose end the ``executions`` stream did not show.

Two things leave the venue behind Kraken: a disconnect (the reconnect snapshot lists the open
orders and the last 50 fills, so an order that ended meanwhile is simply absent from it), and a
terminal report whose cumulative quantity exceeds the fills the venue saw. For such orders the
venue asks Kraken directly: QueryOrders says how each ended and lists its trade ids; the fills
it has not published yet are read from TradesHistory (from just before the order opened). The
venue then publishes those fills, then the terminal event, in that order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from galfriday.kraken.orders_wire import KrakenOrder, KrakenTrade
from galfriday.kraken.venue_history import HistoryReader, query_all, trades_since
from galfriday.kraken.venue_orders import LiveOrder

NS_PER_S = 1_000_000_000


@dataclass(frozen=True, slots=True)
class Ended:
    """How ``order`` ended on Kraken, with the fills the venue has not published (oldest first)."""

    order: LiveOrder
    exchange: KrakenOrder
    missing_fills: list[KrakenTrade]


async def ended_orders(
    client: HistoryReader, orders: Sequence[LiveOrder], *, clock_skew_s: float
) -> list[Ended]:
    """Those of ``orders`` that Kraken reports closed, canceled or expired (open ones are left)."""
    by_txid = {order.txid: order for order in orders if order.txid}
    closed = [o for o in await query_all(client, list(by_txid)) if not o.is_open]
    wanted = {t for o in closed for t in o.trades if t not in by_txid[o.txid].fill_ids}
    trades: list[KrakenTrade] = []
    if wanted:
        start_s = int(min(o.open_ns for o in closed) / NS_PER_S - clock_skew_s)
        trades = [t for t in await trades_since(client, start_s) if t.txid in wanted]
    return [Ended(by_txid[o.txid], o, [t for t in trades if t.order_txid == o.txid]) for o in closed]

"""Paging Kraken's history: every entry once even while new ones push the pages down, and a
limit instead of hammering the API for an endless history."""

from __future__ import annotations

from typing import Any

import pytest

from galfriday.kraken.orders_wire import ClosedOrdersPage, TradesHistoryPage, parse_trade
from galfriday.kraken.venue_history import HistoryTooLongError, closed_orders_since, trades_since


def trade(n: int) -> Any:
    return parse_trade(
        f"T-{n:03d}",
        {
            "ordertxid": "O-1",
            "pair": "XXRPZUSD",
            "time": 1_767_225_600 + n,
            "type": "buy",
            "ordertype": "limit",
            "price": "0.5",
            "cost": "1",
            "fee": "0",
            "vol": "2",
        },
    )


class GrowingHistory:
    """Newest first, 50 per page; a new fill arrives after every page (it pushes the rest down)."""

    def __init__(self, count: int) -> None:
        self.trades = [trade(n) for n in range(count)]
        self.calls = 0

    async def trades_history(self, *, start: Any = None, ofs: Any = None) -> TradesHistoryPage:
        self.calls += 1
        newest_first = list(reversed(self.trades))
        page = newest_first[int(ofs or 0) : int(ofs or 0) + 50]
        self.trades.append(trade(len(self.trades)))
        return TradesHistoryPage(tuple(page), len(newest_first))

    async def closed_orders(self, **_: Any) -> ClosedOrdersPage:
        return ClosedOrdersPage((), 0)

    async def query_orders(self, txids: Any = (), *, trades: bool = False) -> tuple[Any, ...]:
        return ()


async def test_every_fill_once_and_oldest_first_while_new_ones_arrive() -> None:
    history = GrowingHistory(120)
    found = await trades_since(history, 0)
    txids = [t.txid for t in found]
    assert txids == sorted(set(txids)) and {f"T-{n:03d}" for n in range(120)} <= set(txids)
    assert history.calls == 3


async def test_too_much_history_is_refused() -> None:
    with pytest.raises(HistoryTooLongError, match="more than 2 pages"):
        await trades_since(GrowingHistory(200), 0, max_pages=2)


async def test_no_history_is_one_call() -> None:
    history = GrowingHistory(0)
    assert await closed_orders_since(history, 0) == [] and await trades_since(history, 0) == []

"""Kraken's order and fill history since a moment, all pages of it, each entry once.

ClosedOrders and TradesHistory answer 50 entries per call, newest first, with a total ``count``;
``ofs`` pages back. Entries that appear while we page push older ones down, so a page may repeat
the last entry of the previous one but never skips one: entries are de-duplicated by txid.
Both the venue (catching up after the stream missed something) and reconciliation read here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from galfriday.core.errors import GalFridayError
from galfriday.kraken.orders_wire import ClosedOrdersPage, KrakenOrder, KrakenTrade, TradesHistoryPage

T = TypeVar("T", KrakenOrder, KrakenTrade)
_QUERY_BATCH = 50  # QueryOrders takes up to 50 txids


class HistoryTooLongError(GalFridayError):
    """More history than ``max_pages`` pages: reading all of it would hammer the API."""


class HistoryReader(Protocol):
    """The read calls of ``KrakenPrivateClient`` this module pages through."""

    async def closed_orders(
        self, *, start: int | str | None = None, ofs: int | None = None, trades: bool = False
    ) -> ClosedOrdersPage: ...

    async def query_orders(
        self, txids: Sequence[str] = (), *, trades: bool = False
    ) -> tuple[KrakenOrder, ...]: ...

    async def trades_history(
        self, *, start: int | str | None = None, ofs: int | None = None
    ) -> TradesHistoryPage: ...


async def closed_orders_since(
    client: HistoryReader, start_s: int, *, max_pages: int = 40
) -> list[KrakenOrder]:
    """Every order closed (or opened) after ``start_s`` (unix s), with their trade ids."""

    async def page(ofs: int) -> tuple[tuple[KrakenOrder, ...], int]:
        result = await client.closed_orders(start=start_s, ofs=ofs, trades=True)
        return result.orders, result.count

    return await _all_pages(page, "closed orders", max_pages)


async def trades_since(client: HistoryReader, start_s: int, *, max_pages: int = 40) -> list[KrakenTrade]:
    """Every fill of the account after ``start_s`` (unix s), oldest first."""

    async def page(ofs: int) -> tuple[tuple[KrakenTrade, ...], int]:
        result = await client.trades_history(start=start_s, ofs=ofs)
        return result.trades, result.count

    trades = await _all_pages(page, "trades", max_pages)
    return sorted(trades, key=lambda t: (t.time_ns, t.txid))


async def query_all(client: HistoryReader, txids: Sequence[str]) -> list[KrakenOrder]:
    """QueryOrders (with trade ids) for any number of txids, 50 per call."""
    found: list[KrakenOrder] = []
    for i in range(0, len(txids), _QUERY_BATCH):
        found += await client.query_orders(txids[i : i + _QUERY_BATCH], trades=True)
    return found


async def _all_pages(
    fetch: Callable[[int], Awaitable[tuple[tuple[T, ...], int]]], what: str, max_pages: int
) -> list[T]:
    found: dict[str, T] = {}
    ofs = 0
    for _ in range(max_pages):
        entries, count = await fetch(ofs)
        for entry in entries:
            found.setdefault(entry.txid, entry)
        ofs += len(entries)
        if not entries or ofs >= count:
            return list(found.values())
    raise HistoryTooLongError(
        f"more than {max_pages} pages of {what}: narrow the window (reconcile more often) or raise max_pages"
    )

"""What a restart reads back to take over a position an earlier process opened.

A position is one signal's: its entry filled, and its take-profit legs and exits may have sold
part of it. After a restart the execution side needs that signal's bracket again (SL, TP,
strategy), every order of it (to know which are still working and what they filled) and the
entry's fills (the average price, and when the position opened). ``PositionHistory.latest`` finds
the latest entry order of the pair that filled something — the position the account holds now —
and follows its ``signal_id`` to the rest. An entry recorded without its signal (an old row) is
returned alone, without a bracket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from galfriday.core.types import Side
from galfriday.storage.db.models import FillRow, OrderRow
from galfriday.storage.db.records import FillRecord, OrderRecord, SignalRecord
from galfriday.storage.db.repositories import FillRepository, SignalRepository
from galfriday.storage.db.repositories.base import Repository, to_record


@dataclass(frozen=True, slots=True)
class PairHistory:
    pair: str
    entry: OrderRecord  # the latest entry order that filled
    signal: SignalRecord | None
    orders: list[OrderRecord]  # every order of the signal, oldest first (the entry alone if unlinked)
    fills: dict[int, list[FillRecord]] = field(default_factory=dict)  # order_pk -> its fills

    def entry_fills(self, side: Side) -> list[FillRecord]:
        return sorted(
            (f for o in self.orders if o.side is side for f in self.fills.get(o.order_pk, [])),
            key=lambda f: f.filled_at,
        )

    def average_entry_price(self, side: Side) -> Decimal | None:
        fills = self.entry_fills(side)
        qty = sum((f.quantity_filled for f in fills), Decimal(0))
        if not qty:
            return None
        return sum((f.quantity_filled * f.fill_price for f in fills), Decimal(0)) / qty


class PositionHistory(Repository):
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, exchange: str) -> None:
        super().__init__(sessions)
        self._exchange = exchange
        self._signals = SignalRepository(sessions)
        self._fills = FillRepository(sessions)

    async def latest(self, pair: str, entry_side: Side = Side.BUY) -> PairHistory | None:
        """The signal behind the pair's latest filled entry, with its orders and their fills."""
        filled = sa.select(FillRow.order_pk)
        latest = (
            sa.select(OrderRow)
            .where(
                OrderRow.exchange == self._exchange,
                OrderRow.trading_pair == pair,
                OrderRow.side == entry_side,
                OrderRow.order_pk.in_(filled),
            )
            .order_by(OrderRow.created_at.desc(), OrderRow.order_pk.desc())
            .limit(1)
        )
        async with self._transaction(f"reading the latest entry on {pair}") as session:
            row = await session.scalar(latest)
            if row is None:
                return None
            entry = to_record(OrderRecord, row)
            orders = [entry]
            if entry.signal_id is not None:
                siblings = sa.select(OrderRow).where(
                    OrderRow.signal_id == entry.signal_id, OrderRow.exchange == self._exchange
                )
                orders = [
                    to_record(OrderRecord, r)
                    for r in await session.scalars(siblings.order_by(OrderRow.created_at, OrderRow.order_pk))
                ]
        signal = None if entry.signal_id is None else await self._signals.get(entry.signal_id)
        fills = {o.order_pk: await self._fills.list_by_order(o.order_pk) for o in orders}
        return PairHistory(pair, entry, signal, orders, fills)

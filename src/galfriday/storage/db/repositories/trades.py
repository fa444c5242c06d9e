"""Closed trades: the round trips behind every P&L figure and report."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from galfriday.storage.db.models import TradeRow
from galfriday.storage.db.records import NewTrade, TradeRecord
from galfriday.storage.db.repositories.base import Repository, row_values, to_record


class TradeRepository(Repository):
    async def insert(self, trade: NewTrade) -> TradeRecord:
        """Record a closed trade; a second trade with the same ``trade_id`` is refused."""
        async with self._transaction(f"recording trade {trade.trade_id}") as session:
            row = TradeRow(**row_values(trade))
            session.add(row)
            await session.flush()
            return to_record(TradeRecord, row)

    async def list_closed(
        self,
        trading_pair: str | None = None,
        *,
        closed_from: datetime | None = None,
        closed_before: datetime | None = None,
    ) -> list[TradeRecord]:
        """Trades whose exit time is in ``[closed_from, closed_before)``, oldest exit first.

        Trades are attributed to the period they closed in, which is when their P&L was realised.
        """
        statement = sa.select(TradeRow)
        if trading_pair is not None:
            statement = statement.where(TradeRow.trading_pair == trading_pair)
        if closed_from is not None:
            statement = statement.where(TradeRow.exit_timestamp >= closed_from)
        if closed_before is not None:
            statement = statement.where(TradeRow.exit_timestamp < closed_before)
        statement = statement.order_by(TradeRow.exit_timestamp, TradeRow.trade_pk)
        async with self._transaction("listing closed trades") as session:
            return [to_record(TradeRecord, row) for row in await session.scalars(statement)]

"""Persist ``TradeClosed`` to ``trades``: the round trips behind every P&L figure and report.

An adapter (imports storage); writes go through a ``WriteBehind`` so no handler waits on the
database. ``entry_order_pk``/``exit_order_pk`` are left empty: the order rows belong to the
execution side, which can link them by signal id.
"""

from __future__ import annotations

import uuid
from typing import Any

from galfriday.core.events import TradeClosed
from galfriday.storage.db.records import NewTrade
from galfriday.storage.db.repositories import TradeRepository
from galfriday.storage.recorders.write_behind import WriteBehind, as_uuid, utc_datetime


class TradeRecorder:
    def __init__(self, repository: TradeRepository, *, exchange: str = "kraken") -> None:
        self._repository = repository
        self._exchange = exchange
        self.queue = WriteBehind("trades")

    def attach(self, bus: Any) -> None:
        bus.subscribe(TradeClosed, self.on_trade_closed, name="portfolio.trade-recorder")

    def on_trade_closed(self, event: TradeClosed) -> None:
        trade = NewTrade(
            trade_id=uuid.UUID(event.trade_id),
            signal_id=as_uuid(event.signal_id),
            trading_pair=event.pair,
            exchange=self._exchange,
            strategy_id=event.strategy_id,
            side=event.side,
            entry_order_pk=None,
            exit_order_pk=None,
            entry_timestamp=utc_datetime(event.entry_time_ns),
            exit_timestamp=utc_datetime(event.exit_time_ns),
            quantity=event.qty,
            average_entry_price=event.avg_entry_price,
            average_exit_price=event.avg_exit_price,
            total_commission=event.fees,
            realized_pnl=event.realized_pnl,
            realized_pnl_pct=event.realized_pnl_pct,
            exit_reason=event.exit_reason,
        )
        self.queue.submit(lambda: self._insert(trade))

    async def _insert(self, trade: NewTrade) -> None:
        await self._repository.insert(trade)

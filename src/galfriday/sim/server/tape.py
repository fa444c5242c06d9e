"""The public time and sales of one pair: REST ``Trades`` (with its ``since`` cursor) and the WS
``trade`` snapshot.

Trade ids are the exchange's own sequence per pair, 1, 2, 3, ... (Kraken's are integers that
increase per pair), whatever ids the market source used.
"""

from __future__ import annotations

import bisect
import itertools
from collections import deque
from dataclasses import dataclass
from decimal import Decimal

from galfriday.core.events import MarketTradeReceived
from galfriday.core.types import Side

_KEEP = 20_000  # trades kept per pair; Trades pages hold at most 1000
_SECONDS_CURSOR_BELOW = 10**12  # a ``since`` this small is unix seconds (old clients), not ns


@dataclass(frozen=True, slots=True)
class PublicTrade:
    ts_ns: int
    price: Decimal
    qty: Decimal
    side: Side  # the taker's
    ord_type: str  # market | limit
    trade_id: int


class TradeTape:
    def __init__(self, keep: int = _KEEP) -> None:
        self._trades: deque[PublicTrade] = deque(maxlen=keep)
        self._ids = itertools.count(1)

    def add(self, event: MarketTradeReceived) -> PublicTrade:
        trade = PublicTrade(
            event.ts_event, event.price, event.qty, event.side, event.ord_type or "market", next(self._ids)
        )
        self._trades.append(trade)
        return trade

    @property
    def last(self) -> PublicTrade | None:
        return self._trades[-1] if self._trades else None

    def recent(self, n: int) -> list[PublicTrade]:
        return list(itertools.islice(self._trades, max(0, len(self._trades) - n), None))

    def since(self, cursor: int | None, count: int) -> list[PublicTrade]:
        """Up to ``count`` trades after ``cursor`` (ns, or unix s), oldest first; the newest
        ``count`` when there is no cursor (Kraken's default)."""
        if cursor is None:
            return self.recent(count)
        if cursor < _SECONDS_CURSOR_BELOW:
            cursor *= 1_000_000_000
        trades = self._trades
        start = bisect.bisect_right(trades, cursor, key=lambda t: t.ts_ns)
        return list(itertools.islice(trades, start, start + count))

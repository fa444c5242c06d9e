"""The engine's open orders, indexed the ways matching needs them.

- ``untriggered``: stops/take-profits waiting for their trigger, in arrival order;
- ``takers``: orders waiting to meet the market (new orders, triggered orders, a market order's
  kept rest), in arrival order;
- ``resting_buys`` / ``resting_sells``: limits on the book in price-time priority (best first), so a
  crossing market fills our better-priced, older order first.

Dicts keyed by order id serve as ordered sets (O(1) removal, insertion-order iteration).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from decimal import Decimal

from galfriday.sim.matching.orders import Phase, SimOrder

_RestKey = tuple[Decimal, int, SimOrder]


class WorkingOrders:
    __slots__ = ("by_client_id", "by_id", "resting_buys", "resting_sells", "takers", "untriggered")

    def __init__(self) -> None:
        self.by_id: dict[str, SimOrder] = {}
        self.by_client_id: dict[str, SimOrder] = {}
        self.untriggered: dict[str, SimOrder] = {}
        self.takers: dict[str, SimOrder] = {}
        self.resting_buys: list[_RestKey] = []  # key (-limit, seq): highest bid first
        self.resting_sells: list[_RestKey] = []  # key (limit, seq): lowest ask first

    def __len__(self) -> int:
        return len(self.by_id)

    def add(self, order: SimOrder) -> None:
        self.by_id[order.order_id] = order
        if order.client_order_id:
            self.by_client_id[order.client_order_id] = order
        if order.phase is Phase.WAIT_TRIGGER:
            self.untriggered[order.order_id] = order
        else:
            self.takers[order.order_id] = order

    def triggered(self, order: SimOrder) -> None:
        del self.untriggered[order.order_id]
        order.phase = Phase.TAKE
        self.takers[order.order_id] = order

    def rest(self, order: SimOrder) -> None:
        del self.takers[order.order_id]
        order.phase = Phase.REST
        insort(*self._rest_entry(order))

    def remove(self, order: SimOrder) -> None:
        """Forget a terminal order, wherever it was."""
        del self.by_id[order.order_id]
        if order.client_order_id:
            self.by_client_id.pop(order.client_order_id, None)
        if order.phase is Phase.WAIT_TRIGGER:
            del self.untriggered[order.order_id]
        elif order.phase is Phase.TAKE:
            del self.takers[order.order_id]
        else:
            book, key = self._rest_entry(order)
            del book[bisect_left(book, key)]

    def resting(self, buys: bool) -> list[SimOrder]:
        """Resting orders of one side, best price first (a copy: fills may remove them)."""
        return [entry[2] for entry in (self.resting_buys if buys else self.resting_sells)]

    def _rest_entry(self, order: SimOrder) -> tuple[list[_RestKey], _RestKey]:
        limit = order.limit_price
        assert limit is not None  # only limit-type orders rest
        if order.is_buy:
            return self.resting_buys, (-limit, order.seq, order)
        return self.resting_sells, (limit, order.seq, order)

"""Every order the handler created, by client order id, with the bracket it belongs to.

Finished orders stay findable for the ``retain_finished`` most recent ones: a report that arrives
late (a repeated fill after a reconnect, a fill recovered by reconciliation) must still find its
order and bracket, while memory stays bounded however long the process runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from galfriday.execution.bracket import Bracket
from galfriday.execution.order_state import OrderState


class OrderStore:
    def __init__(self, *, retain_finished: int = 10_000) -> None:
        if retain_finished < 1:
            raise ValueError("retain_finished must be >= 1")
        self._orders: dict[str, tuple[OrderState, Bracket]] = {}
        self._finished: dict[str, None] = {}  # insertion-ordered set: oldest first
        self._retain = retain_finished

    def add(self, order: OrderState, bracket: Bracket) -> None:
        self._orders[order.client_order_id] = (order, bracket)

    def get(self, client_order_id: str) -> tuple[OrderState, Bracket] | None:
        return self._orders.get(client_order_id)

    def finished(self, client_order_id: str) -> None:
        """Note that an order reached a terminal state; the oldest finished ones are forgotten."""
        if client_order_id not in self._orders or client_order_id in self._finished:
            return
        self._finished[client_order_id] = None
        if len(self._finished) > self._retain:
            oldest = next(iter(self._finished))
            del self._finished[oldest]
            del self._orders[oldest]

    def __iter__(self) -> Iterator[OrderState]:
        return (order for order, _ in self._orders.values())

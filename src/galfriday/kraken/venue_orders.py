"""The Kraken venue's memory of our orders: what it has already told the kernel about each one.

The venue must publish exactly one ``OrderAccepted`` per order, each fill once, and the terminal
event once, while Kraken reports the same facts through two doors (the AddOrder reply and the
``executions`` stream) and repeats them after a reconnect. ``LiveOrder`` records what has been
published; ``LiveOrders`` finds an order by client order id (our ``cl_ord_id``) or Kraken's txid.

Cumulative quantity is the venue's own sum of the distinct fills it published, not the report's
``cum_qty``: a snapshot replays old fills with today's cumulative figures, and a sum of distinct
fills is right whatever order they arrive in. Finished orders stay findable for the
``retain_finished`` most recent ones (a late repeat must still be recognised as one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from galfriday.core.events import SubmitOrder
from galfriday.core.types import Side

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackedOrder:
    """An order that exists on Kraken but was not submitted by this process (reconciliation
    found it at start, or adopted it): the venue follows it from here on."""

    client_order_id: str
    pair: str
    side: Side
    qty: Decimal
    txid: str
    correlation_id: str = ""
    cum_qty: Decimal = ZERO
    fill_ids: frozenset[str] = frozenset()
    is_open: bool = True


@dataclass(slots=True, kw_only=True)
class LiveOrder:
    client_order_id: str
    pair: str
    side: Side
    qty: Decimal
    correlation_id: str
    txid: str = ""
    accepted: bool = False  # OrderAccepted was published
    cum_qty: Decimal = ZERO
    fill_ids: set[str] = field(default_factory=set)
    ended: bool = False  # Kraken reported it filled, canceled or expired
    cancel_requested: bool = False  # a cancel is on its way or done: repeats are collapsed
    unresolved: bool = False  # AddOrder's outcome is unknown: neither accepted nor rejected yet

    @classmethod
    def from_command(cls, command: SubmitOrder) -> LiveOrder:
        return cls(
            client_order_id=command.client_order_id,
            pair=command.pair,
            side=command.side,
            qty=command.qty,
            correlation_id=command.correlation_id,
        )

    @classmethod
    def from_tracked(cls, tracked: TrackedOrder) -> LiveOrder:
        return cls(
            client_order_id=tracked.client_order_id,
            pair=tracked.pair,
            side=tracked.side,
            qty=tracked.qty,
            correlation_id=tracked.correlation_id,
            txid=tracked.txid,
            accepted=True,
            cum_qty=tracked.cum_qty,
            fill_ids=set(tracked.fill_ids),
            ended=not tracked.is_open,
        )

    @property
    def leaves_qty(self) -> Decimal:
        return max(ZERO, self.qty - self.cum_qty)

    @property
    def live(self) -> bool:
        """Kraken has it and has not reported its end."""
        return bool(self.txid) and not self.ended

    def add_fill(self, fill_id: str, qty: Decimal) -> bool:
        """Count a fill once; False for a repeat."""
        if fill_id in self.fill_ids:
            return False
        self.fill_ids.add(fill_id)
        self.cum_qty += qty
        return True


class LiveOrders:
    def __init__(self, *, retain_finished: int = 10_000) -> None:
        self._by_cid: dict[str, LiveOrder] = {}
        self._by_txid: dict[str, LiveOrder] = {}
        self._finished: dict[str, None] = {}  # insertion-ordered: oldest first
        self._retain = retain_finished

    def add(self, order: LiveOrder) -> LiveOrder:
        self._by_cid[order.client_order_id] = order
        if order.txid:
            self._by_txid[order.txid] = order
        return order

    def bind(self, order: LiveOrder, txid: str) -> None:
        """Kraken's id for ``order`` is now known."""
        order.txid = txid
        self._by_txid[txid] = order

    def get(self, client_order_id: str) -> LiveOrder | None:
        return self._by_cid.get(client_order_id)

    def find(self, cl_ord_id: str | None, txid: str) -> LiveOrder | None:
        return self._by_txid.get(txid) or (self._by_cid.get(cl_ord_id) if cl_ord_id else None)

    def live(self) -> list[LiveOrder]:
        return [order for order in self._by_cid.values() if order.live]

    def unresolved(self) -> list[LiveOrder]:
        return [order for order in self._by_cid.values() if order.unresolved]

    def finished(self, order: LiveOrder) -> None:
        """``order`` ended; forget the oldest finished orders beyond ``retain_finished``."""
        order.ended = True
        cid = order.client_order_id
        if cid in self._finished:
            return
        self._finished[cid] = None
        if len(self._finished) > self._retain:
            oldest_cid = next(iter(self._finished))
            del self._finished[oldest_cid]
            oldest = self._by_cid.pop(oldest_cid, None)
            if oldest is not None:
                self._by_txid.pop(oldest.txid, None)

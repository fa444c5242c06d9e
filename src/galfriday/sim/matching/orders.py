"""Order requests (what a client asks for) and the engine's mutable working copy of an order.

Kraken field mapping: ``trigger_price`` is AddOrder's ``price`` for the triggered types and
``limit_price`` is ``price2`` for ``stop-loss-limit``/``take-profit-limit``; for a plain limit order
``limit_price`` is ``price``.
"""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum

import msgspec

from galfriday.core.events import SubmitOrder
from galfriday.core.types import OrderStatus, OrderType, Side, TimeInForce

ZERO = Decimal(0)
# Module-level sets: ``OrderType.has_limit_price`` builds a tuple on every call, and submit is hot.
LIMIT_TYPES = frozenset(t for t in OrderType if t.has_limit_price)
TRIGGER_TYPES = frozenset(t for t in OrderType if t.has_trigger_price)
TERMINAL = frozenset(s for s in OrderStatus if s.is_terminal)


class OrderRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One order as a client submits it; validated by the engine against the instrument."""

    side: Side
    order_type: OrderType
    qty: Decimal
    limit_price: Decimal | None = None
    trigger_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    post_only: bool = False
    expire_time_ns: int | None = None
    client_order_id: str = ""

    @classmethod
    def from_command(cls, command: SubmitOrder) -> OrderRequest:
        """The request a ``SubmitOrder`` command stands for (the backtest and paper venues' path)."""
        return cls(
            side=command.side,
            order_type=command.order_type,
            qty=command.qty,
            limit_price=command.limit_price,
            trigger_price=command.trigger_price,
            time_in_force=command.time_in_force,
            post_only=command.post_only,
            expire_time_ns=command.expire_time_ns,
            client_order_id=command.client_order_id,
        )


class Phase(IntEnum):
    """Where an open order is in the engine.

    WAIT_TRIGGER: a stop/take-profit waiting for its trigger. TAKE: waiting for the first market
    data after it became active (or after its trigger) to take liquidity or, for a limit, to find
    out it rests. REST: a limit resting on the book; whoever crosses it later makes it the maker.
    """

    WAIT_TRIGGER = 0
    TAKE = 1
    REST = 2


class SimOrder:
    """The engine's private, mutable state of one open order (reports are the public view)."""

    __slots__ = (
        "active_ns",
        "client_order_id",
        "cum_cost",
        "cum_fee",
        "cum_qty",
        "expire_ns",
        "hold",
        "is_buy",
        "limit_price",
        "live",
        "order_id",
        "order_type",
        "phase",
        "post_only",
        "qty",
        "seq",
        "side",
        "status",
        "tif",
        "trigger_price",
    )

    def __init__(
        self, order_id: str, request: OrderRequest, *, seq: int, active_ns: int, hold: Decimal
    ) -> None:
        kind = request.order_type
        self.order_id = order_id
        self.client_order_id = request.client_order_id
        self.side = request.side
        self.is_buy = request.side is Side.BUY
        self.order_type = kind
        self.qty = request.qty
        self.limit_price = request.limit_price if kind in LIMIT_TYPES else None
        self.trigger_price = request.trigger_price if kind in TRIGGER_TYPES else None
        self.tif = request.time_in_force
        self.post_only = request.post_only
        self.expire_ns = request.expire_time_ns
        self.seq = seq
        self.active_ns = active_ns  # earliest market data it may fill on is strictly after this
        self.hold = hold  # what the account still reserves for this order
        self.status = OrderStatus.PENDING_NEW
        self.live = False  # NEW reported: the order reached the (simulated) book
        self.phase = Phase.WAIT_TRIGGER if kind in TRIGGER_TYPES else Phase.TAKE
        self.cum_qty = ZERO
        self.cum_cost = ZERO
        self.cum_fee = ZERO

    @property
    def leaves(self) -> Decimal:
        return self.qty - self.cum_qty

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL

    @property
    def takes_at_market(self) -> bool:
        """True for market orders and for stop-loss/take-profit once triggered (no price limit)."""
        return self.limit_price is None

    def crosses(self, price: Decimal) -> bool:
        """Would this order trade at ``price``? (Always, for an order without a limit.)"""
        limit = self.limit_price
        if limit is None:
            return True
        return price <= limit if self.is_buy else price >= limit

"""Execution reports: the engine's only output, one small immutable struct per state change.

The shape follows Kraken's WS v2 ``executions`` report (``exec_type``, ``order_status``,
``cum_qty``, ``last_qty``/``last_price``, ``liquidity_ind``, ``fees``) so the exchange simulator can
render it directly and the backtest/paper venues can turn it into ``Order*`` events. One
difference: the fill that completes an order is a single ``trade`` report with status FILLED;
Kraken's separate ``filled`` report is the simulator's job to add on the wire.
"""

from __future__ import annotations

from decimal import Context, Decimal
from enum import StrEnum

import msgspec

from galfriday.core.types import LiquiditySide, OrderStatus, OrderType, Side

ZERO = Decimal(0)
# Average price = cum_cost / cum_qty: exact whenever the quotient has <= 34 significant digits.
_AVG = Context(prec=34)


class ExecType(StrEnum):
    PENDING_NEW = "pending_new"  # accepted and validated, funds held, not yet on the book
    NEW = "new"  # reached the book (first market data after it became active)
    TRIGGERED = "triggered"  # a stop/take-profit's trigger fired; it now works as market/limit
    TRADE = "trade"  # one fill
    PENDING_CANCEL = "pending_cancel"  # cancel received; takes effect after the latency
    CANCELED = "canceled"
    EXPIRED = "expired"  # GTD reached its expire time
    REJECTED = "rejected"  # refused at submission, or a post-only order that would have taken
    STATUS = "status"  # a snapshot of an open order (``MatchingEngine.open_orders``)


class ExecutionReport(msgspec.Struct, frozen=True, gc=False):
    """One thing that happened to one order.

    Not ``kw_only`` (unlike the bus events) and not tracked by the garbage collector: the engine
    builds several of these per order and positional construction is ~8x cheaper than 23 keyword
    arguments; a struct of immutable scalars can never be part of a reference cycle. Construct it
    with keywords anyway outside the engine — field order is an implementation detail.

    ``ts_event`` is when it happened in market time; ``ts_init`` when the engine produced the
    report (later than ``ts_event`` for a cancel or expiry found while catching up on time).
    For a rejected submission ``order_id`` is empty: the order never existed.
    Fill fields (``last_*``, ``fee``, ``liquidity``, ``trade_id``) are set on ``trade`` reports only.
    Money is Decimal; ``cum_cost`` is the exact sum of ``last_qty * last_price``, fees excluded.
    """

    exec_type: ExecType
    status: OrderStatus
    order_id: str
    client_order_id: str
    pair: str
    side: Side
    order_type: OrderType
    order_qty: Decimal
    limit_price: Decimal | None
    trigger_price: Decimal | None
    cum_qty: Decimal
    leaves_qty: Decimal
    cum_cost: Decimal
    cum_fee: Decimal
    ts_event: int
    ts_init: int
    reason: str = ""
    trade_id: str = ""
    last_qty: Decimal = ZERO
    last_price: Decimal = ZERO
    fee: Decimal = ZERO
    fee_asset: str = ""
    liquidity: LiquiditySide | None = None

    @property
    def avg_price(self) -> Decimal | None:
        """Volume-weighted average fill price so far (None before the first fill)."""
        if not self.cum_qty:
            return None
        return _AVG.divide(self.cum_cost, self.cum_qty)

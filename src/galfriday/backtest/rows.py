"""The rows of a result — trades, orders, fills — built from what the run recorded.

Ids in these rows are the deterministic ones: client order ids (seeded), the venue's order and
trade ids (seeded), and ordinal numbers for signals and trades (the kernel's own signal and trade
ids are random per process, so showing them would make two identical runs differ).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from galfriday.core.events import (
    Event,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    SignalProposed,
    SubmitOrder,
    TradeClosed,
)
from galfriday.core.types import OrderStatus

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class TradeRow:
    trade_no: int
    signal_no: int | None
    pair: str
    side: str
    qty: Decimal
    entry_time_ns: int
    exit_time_ns: int
    avg_entry_price: Decimal
    avg_exit_price: Decimal
    fees: Decimal
    realized_pnl: Decimal  # net of the fees of both legs
    realized_pnl_pct: float
    exit_reason: str

    @property
    def holding_s(self) -> float:
        return (self.exit_time_ns - self.entry_time_ns) / 1e9


@dataclass(slots=True)
class OrderRow:
    order_no: int
    client_order_id: str
    signal_no: int | None
    pair: str
    side: str
    order_type: str
    purpose: str
    qty: Decimal
    limit_price: Decimal | None
    submitted_ns: int
    status: str = OrderStatus.PENDING_NEW.value
    exchange_order_id: str = ""
    filled_qty: Decimal = ZERO
    notional: Decimal = ZERO
    fees: Decimal = ZERO
    ended_ns: int | None = None
    reason: str = ""

    @property
    def avg_fill_price(self) -> Decimal | None:
        return self.notional / self.filled_qty if self.filled_qty else None


@dataclass(frozen=True, slots=True)
class FillRow:
    fill_no: int
    fill_id: str
    client_order_id: str
    pair: str
    side: str
    qty: Decimal
    price: Decimal
    fee: Decimal
    liquidity: str
    ts_ns: int


@dataclass(frozen=True)
class Rows:
    trades: tuple[TradeRow, ...]
    orders: tuple[OrderRow, ...]
    fills: tuple[FillRow, ...]
    signal_numbers: dict[str, int] = field(default_factory=dict)


def build_rows(kernel_log: Iterable[Event], venue_log: Iterable[Event]) -> Rows:
    signal_no: dict[str, int] = {}
    trades: list[TradeRow] = []
    for event in kernel_log:
        if isinstance(event, SignalProposed):
            signal_no[event.signal_id] = len(signal_no) + 1
        elif isinstance(event, TradeClosed):
            trades.append(_trade_row(len(trades) + 1, event, signal_no))
    orders: dict[str, OrderRow] = {}
    fills: list[FillRow] = []
    for event in venue_log:
        if isinstance(event, SubmitOrder):
            orders[event.client_order_id] = _order_row(len(orders) + 1, event, signal_no)
            continue
        row = orders.get(getattr(event, "client_order_id", ""))
        if row is None:
            continue
        if isinstance(event, OrderFilled):
            fills.append(_fill_row(len(fills) + 1, event))
            row.filled_qty += event.qty
            row.notional += event.qty * event.price
            row.fees += event.fee
            row.status = (OrderStatus.FILLED if event.leaves_qty == 0 else OrderStatus.PARTIALLY_FILLED).value
            if event.leaves_qty == 0:
                row.ended_ns = event.ts_event
        elif isinstance(event, OrderAccepted):
            row.exchange_order_id = event.exchange_order_id
            row.status = OrderStatus.NEW.value
        elif isinstance(event, OrderCanceled | OrderExpired | OrderRejected):
            row.status = _ENDED[type(event)].value
            row.ended_ns = event.ts_event
            row.reason = getattr(event, "reason", "")
    return Rows(tuple(trades), tuple(orders.values()), tuple(fills), signal_no)


_ENDED = {
    OrderCanceled: OrderStatus.CANCELED,
    OrderExpired: OrderStatus.EXPIRED,
    OrderRejected: OrderStatus.REJECTED,
}


def _trade_row(number: int, event: TradeClosed, signal_no: dict[str, int]) -> TradeRow:
    return TradeRow(
        trade_no=number,
        signal_no=signal_no.get(event.signal_id or ""),
        pair=event.pair,
        side=event.side.value,
        qty=event.qty,
        entry_time_ns=event.entry_time_ns,
        exit_time_ns=event.exit_time_ns,
        avg_entry_price=event.avg_entry_price,
        avg_exit_price=event.avg_exit_price,
        fees=event.fees,
        realized_pnl=event.realized_pnl,
        realized_pnl_pct=event.realized_pnl_pct,
        exit_reason=event.exit_reason.value,
    )


def _order_row(number: int, command: SubmitOrder, signal_no: dict[str, int]) -> OrderRow:
    return OrderRow(
        order_no=number,
        client_order_id=command.client_order_id,
        signal_no=signal_no.get(command.signal_id or ""),
        pair=command.pair,
        side=command.side.value,
        order_type=command.order_type.value,
        purpose=command.purpose,
        qty=command.qty,
        limit_price=command.limit_price,
        submitted_ns=command.ts_event,
    )


def _fill_row(number: int, event: OrderFilled) -> FillRow:
    return FillRow(
        fill_no=number,
        fill_id=event.fill_id,
        client_order_id=event.client_order_id,
        pair=event.pair,
        side=event.side.value,
        qty=event.qty,
        price=event.price,
        fee=event.fee,
        liquidity=event.liquidity.value,
        ts_ns=event.ts_event,
    )

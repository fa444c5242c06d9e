"""Kraken's reports as the kernel's order events (the ``core.venue`` contract), for one ``LiveOrder``.

A fill comes either from the ``executions`` stream (``exec_type: trade``) or, when the stream
missed it, from TradesHistory (``KrakenTrade``); both become the same ``OrderFilled``:
``fill_id`` is Kraken's trade txid (``exec_id`` on the stream, the TradesHistory key), liquidity
``m`` -> MAKER / ``t`` -> TAKER, ``cum_qty``/``leaves_qty`` from the order's distinct fills. A fill
is counted into the order here, so a repeat returns None and is never published twice. A fill
without a liquidity flag is booked as TAKER, the costlier assumption.
"""

from __future__ import annotations

from decimal import Decimal

from galfriday.core.events import OrderAccepted, OrderCanceled, OrderExpired, OrderFilled
from galfriday.core.types import LiquiditySide
from galfriday.kraken.orders_wire import ExecutionReport, KrakenTrade
from galfriday.kraken.venue_orders import LiveOrder

ZERO = Decimal(0)


def accepted(order: LiveOrder, *, ts_event: int, ts_init: int) -> OrderAccepted:
    order.accepted = True
    return OrderAccepted(
        ts_event=ts_event,
        ts_init=ts_init,
        correlation_id=order.correlation_id,
        client_order_id=order.client_order_id,
        exchange_order_id=order.txid,
        pair=order.pair,
    )


def canceled(order: LiveOrder, reason: str, *, ts_event: int, ts_init: int) -> OrderCanceled:
    return OrderCanceled(
        ts_event=ts_event,
        ts_init=ts_init,
        correlation_id=order.correlation_id,
        client_order_id=order.client_order_id,
        exchange_order_id=order.txid,
        pair=order.pair,
        reason=reason,
    )


def expired(order: LiveOrder, *, ts_event: int, ts_init: int) -> OrderExpired:
    return OrderExpired(
        ts_event=ts_event,
        ts_init=ts_init,
        correlation_id=order.correlation_id,
        client_order_id=order.client_order_id,
        exchange_order_id=order.txid,
        pair=order.pair,
    )


def stream_fill(order: LiveOrder, report: ExecutionReport, quote: str, *, ts_init: int) -> OrderFilled | None:
    """A ``trade`` report; None for a repeat or a report without the fields a fill needs."""
    if report.exec_id is None or report.last_qty is None or report.last_price is None:
        return None
    fee = sum((f.qty for f in report.fees), ZERO)
    fee_currency = report.fees[0].asset if report.fees else quote
    return _fill(
        order,
        fill_id=report.exec_id,
        qty=report.last_qty,
        price=report.last_price,
        fee=fee,
        fee_currency=fee_currency,
        liquidity=report.liquidity,
        ts_event=report.ts_ns,
        ts_init=ts_init,
    )


def history_fill(order: LiveOrder, trade: KrakenTrade, quote: str, *, ts_init: int) -> OrderFilled | None:
    """A TradesHistory entry (fees are in quote: we never ask Kraken for fees in base)."""
    return _fill(
        order,
        fill_id=trade.txid,
        qty=trade.qty,
        price=trade.price,
        fee=trade.fee,
        fee_currency=quote,
        liquidity=trade.liquidity,
        ts_event=trade.time_ns,
        ts_init=ts_init,
    )


def _fill(
    order: LiveOrder,
    *,
    fill_id: str,
    qty: Decimal,
    price: Decimal,
    fee: Decimal,
    fee_currency: str,
    liquidity: LiquiditySide | None,
    ts_event: int,
    ts_init: int,
) -> OrderFilled | None:
    if not order.add_fill(fill_id, qty):
        return None
    return OrderFilled(
        ts_event=ts_event,
        ts_init=ts_init,
        correlation_id=order.correlation_id,
        client_order_id=order.client_order_id,
        exchange_order_id=order.txid,
        fill_id=fill_id,
        pair=order.pair,
        side=order.side,
        qty=qty,
        price=price,
        fee=fee,
        fee_currency=fee_currency,
        liquidity=liquidity or LiquiditySide.TAKER,
        cum_qty=order.cum_qty,
        leaves_qty=order.leaves_qty,
    )

"""The matching engine's execution reports as the kernel's order events (the Venue contract).

``pending_new`` (accepted, validated, funds held) is the exchange's acknowledgement:
``OrderAccepted``. ``trade`` is one ``OrderFilled``. ``canceled``/``expired`` end the order. A
``rejected`` report is ``OrderRejected`` when the submission was refused (no order id: the order
never existed) and ``OrderCanceled`` when an accepted order is refused later (a post-only order
that would have taken), because an accepted order ends in a fill, a cancel or an expiry. The
engine's other reports (``new``, ``triggered``, ``pending_cancel``, ``status``) change nothing
the kernel acts on and have no event.
"""

from __future__ import annotations

from collections.abc import Callable

from galfriday.core.events import (
    Event,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
)
from galfriday.core.types import LiquiditySide
from galfriday.sim.matching import ExecType, ExecutionReport


def report_event(
    report: ExecutionReport, *, correlation_id: str, ts_init: int, event_id: Callable[[], str]
) -> Event | None:
    """The event for ``report``, or None for a report without one."""
    kind = report.exec_type
    if kind not in _EVENT_TYPES:
        return None
    common = {
        "ts_event": report.ts_event,
        "ts_init": ts_init,
        "event_id": event_id(),
        "correlation_id": correlation_id,
        "client_order_id": report.client_order_id,
        "pair": report.pair,
    }
    if kind is ExecType.TRADE:
        return OrderFilled(
            **common,
            exchange_order_id=report.order_id,
            fill_id=report.trade_id,
            side=report.side,
            qty=report.last_qty,
            price=report.last_price,
            fee=report.fee,
            fee_currency=report.fee_asset,
            liquidity=report.liquidity or LiquiditySide.TAKER,
            cum_qty=report.cum_qty,
            leaves_qty=report.leaves_qty,
        )
    if kind is ExecType.PENDING_NEW:
        return OrderAccepted(**common, exchange_order_id=report.order_id)
    if kind is ExecType.EXPIRED:
        return OrderExpired(**common, exchange_order_id=report.order_id)
    if kind is ExecType.REJECTED and not report.order_id:
        return OrderRejected(**common, reason=report.reason)
    return OrderCanceled(**common, exchange_order_id=report.order_id, reason=report.reason)


_EVENT_TYPES = frozenset(
    {ExecType.PENDING_NEW, ExecType.TRADE, ExecType.CANCELED, ExecType.EXPIRED, ExecType.REJECTED}
)

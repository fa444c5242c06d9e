"""What is left of an order after its turn to take liquidity.

IOC: the rest is canceled. A limit order: the rest rests on the book (from now on it is a maker).
A market order (or a triggered stop-loss/take-profit): the rest is canceled when the book's depth
ran out, unless the engine keeps it (``RemainderPolicy.KEEP``, and always on bars, where the volume
cap, not the market, stopped it); a kept rest takes again on the next market data.
"""

from __future__ import annotations

from galfriday.core.types import OrderStatus, TimeInForce
from galfriday.sim.matching import reasons
from galfriday.sim.matching.executions import Executions
from galfriday.sim.matching.orders import SimOrder


def finish_turn(order: SimOrder, ex: Executions, ts: int, *, keep_market_rest: bool) -> None:
    if not order.is_open:
        return
    if order.tif is TimeInForce.IOC:
        ex.end(order, OrderStatus.CANCELED, ts, reasons.IOC_REMAINDER)
    elif not order.takes_at_market:
        ex.working.rest(order)
    elif not keep_market_rest:
        ex.end(order, OrderStatus.CANCELED, ts, reasons.NO_LIQUIDITY)

"""Taker prices where no book shows them (bars, trade-only feeds): slipped against the trader.

Slippage of ``bps`` basis points moves a buy's price up and a sell's down, and the result is
rounded to the tick away from the trader (up for a buy, down for a sell), so rounding never gives
back what slippage took. A limit order never trades beyond its limit: the price is capped there.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from galfriday.core.instruments import round_to_increment
from galfriday.sim.matching.orders import SimOrder

_BPS = Decimal(10_000)


def slipped(price: Decimal, is_buy: bool, bps: Decimal, tick: Decimal) -> Decimal:
    if is_buy:
        return round_to_increment(price * (1 + bps / _BPS), tick, ROUND_CEILING)
    return round_to_increment(price * (1 - bps / _BPS), tick, ROUND_FLOOR)


def taker_price(order: SimOrder, market: Decimal, bps: Decimal, tick: Decimal) -> Decimal:
    """The slipped price ``order`` pays taking at ``market``, capped at its limit."""
    price = slipped(market, order.is_buy, bps, tick)
    limit = order.limit_price
    if limit is None:
        return price
    return min(price, limit) if order.is_buy else max(price, limit)

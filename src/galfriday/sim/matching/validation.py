"""Refuse what Kraken would refuse, with Kraken's error string, before any funds are held.

Checks, in order: side/type/time-in-force are the ``core.types`` enums; quantity (positive, on
the lot, >= ``ordermin``); prices the order type needs (positive, on the tick); post-only only on
GTC/GTD limit orders; GTD needs a future expire time (and only GTD may have one); then ``costmin``
at the order's price (for a market order at the engine's reference price, skipped while there is
none).
"""

from __future__ import annotations

from decimal import Decimal

from galfriday.core.instruments import Instrument
from galfriday.core.types import OrderType, Side, TimeInForce
from galfriday.sim.matching import reasons
from galfriday.sim.matching.orders import LIMIT_TYPES, TRIGGER_TYPES, OrderRequest


def order_price(request: OrderRequest, reference: Decimal | None) -> Decimal | None:
    """The price an order is expected to trade at: its limit, else its trigger, else the market."""
    if request.order_type in LIMIT_TYPES:
        return request.limit_price
    if request.order_type in TRIGGER_TYPES:
        return request.trigger_price
    return reference


class OrderRules:
    """One instrument's constraints, read once (``Instrument.tick``/``lot`` are computed per access)."""

    __slots__ = ("costmin", "lot", "ordermin", "tick")

    def __init__(self, instrument: Instrument) -> None:
        self.tick, self.lot = instrument.tick, instrument.lot
        self.ordermin, self.costmin = instrument.ordermin, instrument.costmin

    def _bad_price(self, price: Decimal | None) -> bool:
        if not isinstance(price, Decimal) or not price.is_finite():
            return True
        return price <= 0 or bool(price % self.tick)

    def rejection(self, request: OrderRequest, *, now_ns: int, reference: Decimal | None) -> str | None:
        """Kraken's error string for an order it would refuse, or None if the order is acceptable."""
        if not (
            isinstance(request.side, Side)
            and isinstance(request.order_type, OrderType)
            and isinstance(request.time_in_force, TimeInForce)
        ):
            return reasons.INVALID_ARGUMENTS  # e.g. the string "BUY": use the enums from core.types
        qty = request.qty
        if not isinstance(qty, Decimal) or not qty.is_finite() or qty <= 0 or qty % self.lot:
            return reasons.INVALID_VOLUME
        if qty < self.ordermin:
            return reasons.VOLUME_MINIMUM
        kind = request.order_type
        if kind in TRIGGER_TYPES and self._bad_price(request.trigger_price):
            return reasons.INVALID_PRICE
        if kind in LIMIT_TYPES and self._bad_price(request.limit_price):
            return reasons.INVALID_PRICE if kind is OrderType.LIMIT else reasons.INVALID_LIMIT_PRICE
        if request.post_only and (kind is not OrderType.LIMIT or request.time_in_force is TimeInForce.IOC):
            return reasons.INVALID_POST_ONLY
        expire = request.expire_time_ns
        if (request.time_in_force is TimeInForce.GTD) != (expire is not None) or (
            expire is not None and expire <= now_ns
        ):
            return reasons.INVALID_EXPIRE
        price = order_price(request, reference)
        if price is not None and qty * price < self.costmin:
            return reasons.COST_MINIMUM
        return None

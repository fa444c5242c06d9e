"""Tradable instruments and exact Decimal rounding to their tick and lot.

Kraken publishes each pair's price precision (``pair_decimals``), quantity precision
(``lot_decimals``), minimum order size (``ordermin``) and minimum order cost (``costmin``). Every
price and quantity the system sends must be a multiple of the tick/lot; this module is the one
place that enforces it. Floats are refused: money never passes through binary floating point.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_UP, Decimal

import msgspec

from galfriday.core.errors import InstrumentError
from galfriday.core.types import Side

_ROUNDINGS = frozenset({ROUND_HALF_EVEN, ROUND_DOWN, ROUND_UP, ROUND_FLOOR, ROUND_CEILING})


def to_decimal(value: Decimal | str | int) -> Decimal:
    """Convert an exact representation to Decimal; floats and non-finite values are refused."""
    if isinstance(value, bool | float):
        raise InstrumentError(f"refusing binary float {value!r} for money; pass a str or Decimal")
    dec = value if isinstance(value, Decimal) else Decimal(value)
    if not dec.is_finite():
        raise InstrumentError(f"non-finite value {value!r} is not a price or quantity")
    return dec


def round_to_increment(value: Decimal, increment: Decimal, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """Round ``value`` to a whole multiple of ``increment`` (any positive increment, not only 10^-n).

    The result carries the increment's exponent, so ``str()`` shows exactly the digits Kraken expects.
    """
    if rounding not in _ROUNDINGS:
        raise InstrumentError(f"unsupported rounding mode {rounding!r}")
    if increment <= 0:
        raise InstrumentError(f"increment must be positive, got {increment}")
    units = (to_decimal(value) / increment).to_integral_value(rounding=rounding)
    return (units * increment).quantize(increment)


class Instrument(msgspec.Struct, frozen=True, kw_only=True):
    """A spot pair with the exchange's precision and minimums.

    ``symbol`` is the WS v2 name ("XRP/USD"); ``rest_pair_id`` the REST key ("XXRPZUSD");
    ``altname`` the REST alternative ("XRPUSD").
    """

    symbol: str
    base: str
    quote: str
    price_decimals: int
    lot_decimals: int
    ordermin: Decimal = Decimal(0)
    costmin: Decimal = Decimal(0)
    tick_size: Decimal | None = None  # when the exchange states one; else 10^-price_decimals
    lot_size: Decimal | None = None  # when the exchange states one; else 10^-lot_decimals
    rest_pair_id: str = ""
    altname: str = ""
    maker_fee: Decimal = Decimal("0.0016")
    taker_fee: Decimal = Decimal("0.0026")

    def __post_init__(self) -> None:
        if self.price_decimals < 0 or self.lot_decimals < 0:
            raise InstrumentError(f"{self.symbol}: decimals must be non-negative")
        if self.ordermin < 0 or self.costmin < 0:
            raise InstrumentError(f"{self.symbol}: minimums must be non-negative")

    @property
    def tick(self) -> Decimal:
        return self.tick_size if self.tick_size is not None else Decimal(1).scaleb(-self.price_decimals)

    @property
    def lot(self) -> Decimal:
        return self.lot_size if self.lot_size is not None else Decimal(1).scaleb(-self.lot_decimals)

    # -- rounding -------------------------------------------------------------------------------

    def round_price(self, price: Decimal | str | int, rounding: str = ROUND_HALF_EVEN) -> Decimal:
        price = to_decimal(price)
        if price <= 0:
            raise InstrumentError(f"{self.symbol}: price must be positive, got {price}")
        rounded = round_to_increment(price, self.tick, rounding)
        if rounded <= 0:
            raise InstrumentError(f"{self.symbol}: price {price} rounds to zero at tick {self.tick}")
        return rounded

    def round_price_passive(self, side: Side, price: Decimal | str | int) -> Decimal:
        """Round a limit price so it never becomes more aggressive: bids down, asks up."""
        return self.round_price(price, ROUND_FLOOR if side is Side.BUY else ROUND_CEILING)

    def round_qty(self, qty: Decimal | str | int) -> Decimal:
        """Round a quantity down to the lot, so a size computed from a budget never exceeds it."""
        qty = to_decimal(qty)
        if qty < 0:
            raise InstrumentError(f"{self.symbol}: quantity must be non-negative, got {qty}")
        return round_to_increment(qty, self.lot, ROUND_DOWN)

    # -- validation -----------------------------------------------------------------------------

    def is_on_tick(self, price: Decimal) -> bool:
        return price % self.tick == 0

    def is_on_lot(self, qty: Decimal) -> bool:
        return qty % self.lot == 0

    def order_problems(self, qty: Decimal, price: Decimal) -> list[str]:
        """Why an order of ``qty`` at ``price`` would be refused by the exchange (empty if fine)."""
        problems: list[str] = []
        if not self.is_on_lot(qty):
            problems.append(f"quantity {qty} is not a multiple of lot {self.lot}")
        if not self.is_on_tick(price):
            problems.append(f"price {price} is not a multiple of tick {self.tick}")
        if qty < self.ordermin:
            problems.append(f"quantity {qty} is below ordermin {self.ordermin}")
        cost = qty * price
        if cost < self.costmin:
            problems.append(f"cost {cost} is below costmin {self.costmin}")
        return problems

    def min_qty_for_price(self, price: Decimal) -> Decimal:
        """Smallest on-lot quantity that satisfies both ``ordermin`` and ``costmin`` at ``price``."""
        by_cost = round_to_increment(self.costmin / price, self.lot, ROUND_UP) if self.costmin else Decimal(0)
        return max(round_to_increment(self.ordermin, self.lot, ROUND_UP), by_cost)


def default_instruments() -> dict[str, Instrument]:
    """Instruments for the default pairs, used until AssetPairs / the WS instrument channel answer.

    Values are Kraken's published precisions and minimums for these pairs; the live system replaces
    them with the exchange's current ones at start.
    """
    xrp = Instrument(
        symbol="XRP/USD", base="XRP", quote="USD", price_decimals=5, lot_decimals=8,
        ordermin=Decimal("10"), costmin=Decimal("0.5"), rest_pair_id="XXRPZUSD", altname="XRPUSD",
    )
    doge = Instrument(
        symbol="DOGE/USD", base="DOGE", quote="USD", price_decimals=7, lot_decimals=8,
        ordermin=Decimal("50"), costmin=Decimal("0.5"), rest_pair_id="XDGUSD", altname="XDGUSD",
    )
    return {xrp.symbol: xrp, doge.symbol: doge}

"""Decimal tick/lot rounding: exact, on-grid, direction-safe, never from floats."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from galfriday.core.errors import InstrumentError
from galfriday.core.instruments import Instrument, default_instruments, round_to_increment
from galfriday.core.types import Side

XRP = default_instruments()["XRP/USD"]
DOGE = default_instruments()["DOGE/USD"]

prices = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("100000"), places=12,
                     allow_nan=False, allow_infinity=False)
qtys = st.decimals(min_value=Decimal(0), max_value=Decimal("10000000"), places=12,
                   allow_nan=False, allow_infinity=False)
ticks = st.sampled_from([Decimal("0.00001"), Decimal("0.0000001"), Decimal("0.1"), Decimal("0.25"),
                         Decimal("0.005"), Decimal("1"), Decimal("5")])


def test_kraken_precisions_for_default_pairs() -> None:
    assert XRP.tick == Decimal("0.00001") and XRP.lot == Decimal("0.00000001")
    assert DOGE.tick == Decimal("0.0000001")
    assert XRP.round_price("0.512345") == Decimal("0.51234")  # half-even
    assert XRP.round_price("0.512355") == Decimal("0.51236")
    assert str(XRP.round_price("2")) == "2.00000"  # carries the tick's exponent
    assert XRP.round_qty("12.123456789") == Decimal("12.12345678")  # always down


def test_passive_rounding_never_makes_a_limit_more_aggressive() -> None:
    assert XRP.round_price_passive(Side.BUY, "0.512349") == Decimal("0.51234")
    assert XRP.round_price_passive(Side.SELL, "0.512341") == Decimal("0.51235")


def test_floats_nan_and_non_positive_prices_are_refused() -> None:
    with pytest.raises(InstrumentError, match="float"):
        XRP.round_price(0.5)  # type: ignore[arg-type]
    with pytest.raises(InstrumentError, match="non-finite"):
        XRP.round_price(Decimal("NaN"))
    with pytest.raises(InstrumentError, match="positive"):
        XRP.round_price("0")
    with pytest.raises(InstrumentError, match="rounds to zero"):
        XRP.round_price("0.000001")
    with pytest.raises(InstrumentError, match="non-negative"):
        XRP.round_qty("-1")


def test_order_problems_names_every_violation() -> None:
    problems = XRP.order_problems(Decimal("5.123456789"), Decimal("0.123456"))
    assert any("lot" in p for p in problems)
    assert any("tick" in p for p in problems)
    assert any("ordermin" in p for p in problems)
    assert XRP.order_problems(Decimal("20"), Decimal("0.5")) == []


def test_min_qty_respects_both_ordermin_and_costmin() -> None:
    inst = Instrument(symbol="X/USD", base="X", quote="USD", price_decimals=2, lot_decimals=3,
                      ordermin=Decimal("0.5"), costmin=Decimal("10"))
    qty = inst.min_qty_for_price(Decimal("3"))
    assert qty == Decimal("3.334")  # 10 / 3 rounded up to the lot
    assert inst.order_problems(qty, Decimal("3.00")) == []
    assert inst.order_problems(qty - inst.lot, Decimal("3.00")) != []


@given(prices, ticks)
def test_property_rounded_price_is_on_tick_and_within_half_a_tick(price: Decimal, tick: Decimal) -> None:
    assume(price >= tick)
    rounded = round_to_increment(price, tick, ROUND_HALF_EVEN)
    assert rounded % tick == 0
    assert abs(rounded - price) <= tick / 2


@given(prices, ticks)
def test_property_passive_rounding_direction(price: Decimal, tick: Decimal) -> None:
    assume(price >= tick)
    inst = Instrument(symbol="T/USD", base="T", quote="USD", price_decimals=0, lot_decimals=0, tick_size=tick)
    bid = inst.round_price_passive(Side.BUY, price)
    ask = inst.round_price_passive(Side.SELL, price)
    assert bid <= price <= ask
    assert bid % tick == 0 and ask % tick == 0
    assert ask - bid in (0, tick)


@given(qtys, st.integers(0, 8))
def test_property_rounded_qty_is_on_lot_never_above_input_and_less_than_a_lot_below(
    qty: Decimal, lot_decimals: int
) -> None:
    inst = Instrument(symbol="T/USD", base="T", quote="USD", price_decimals=2, lot_decimals=lot_decimals)
    rounded = inst.round_qty(qty)
    assert rounded % inst.lot == 0
    assert rounded <= qty < rounded + inst.lot


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=6), st.integers(0, 8))
def test_property_min_qty_is_the_smallest_valid_size(price: Decimal, lot_decimals: int) -> None:
    inst = Instrument(symbol="T/USD", base="T", quote="USD", price_decimals=6, lot_decimals=lot_decimals,
                      ordermin=Decimal("0.3"), costmin=Decimal("5"))
    qty = inst.min_qty_for_price(price)
    assert inst.order_problems(qty, price) == []
    smaller = qty - inst.lot
    assert smaller < inst.ordermin or smaller * price < inst.costmin

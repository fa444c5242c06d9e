"""Maker/taker by who rested first; fee in quote currency, rounded up to ``fee_decimals``."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from galfriday.core.types import LiquiditySide, Side
from galfriday.sim.matching import Account, FillModelConfig, MatchingEngine
from galfriday.sim.matching.fees import fee_for, fee_quantum
from tests.unit.sim._kit import XRP, D, book, engine, limit, std_book, trade, trades_of


def test_order_that_takes_on_arrival_pays_taker() -> None:
    e = engine()
    e.submit(limit(Side.BUY, "100", "0.50010"), 1)
    (fill,) = trades_of(e.on_book(std_book(2)))
    assert fill.liquidity is LiquiditySide.TAKER
    assert fill.fee == D("0.13003")  # 50.01 * 0.26 % = 0.130026, rounded up to 5 dp
    assert fill.fee_asset == "USD"


def test_resting_order_crossed_by_a_later_book_pays_maker_at_its_limit() -> None:
    e = engine()
    e.submit(limit(Side.BUY, "100", "0.50000"), 1)
    e.on_book(std_book(2))  # rests: best ask 0.50010 is above
    crossing = book(3, [("0.49990", "100")], [("0.49980", "40"), ("0.49995", "100")])
    fills = trades_of(e.on_book(crossing))
    assert [(f.last_qty, f.last_price) for f in fills] == [(D("40"), D("0.50000")), (D("60"), D("0.50000"))]
    assert all(f.liquidity is LiquiditySide.MAKER for f in fills)
    assert fills[0].fee == D("0.03200")  # 20.00 * 0.16 %


def test_resting_order_crossed_by_a_trade_print_pays_maker() -> None:
    e = engine()
    e.submit(limit(Side.SELL, "100", "0.50050"), 1)
    e.on_book(std_book(2))
    (fill,) = trades_of(e.on_trade(trade(3, "0.50060", "30", Side.BUY)))
    assert fill.liquidity is LiquiditySide.MAKER
    assert (fill.last_price, fill.last_qty) == (D("0.50050"), D("30"))


def test_account_pays_cost_plus_fee_on_a_buy_and_receives_cost_minus_fee_on_a_sell() -> None:
    e = engine(usd="1000", xrp="1000")
    e.submit(limit(Side.BUY, "100", "0.50010"), 1)
    e.submit(limit(Side.SELL, "100", "0.49990"), 1)
    e.on_book(std_book(2))
    assert e.account.total("USD") == D("1000") - D("50.01") - D("0.13003") + D("49.99") - D("0.12998")
    assert e.account.total("XRP") == D("1000")
    assert e.account.held("USD") == 0 and e.account.held("XRP") == 0


def test_fee_rounding_matches_krakens_recorded_ltc_fill() -> None:
    # ccxt's recorded Kraken QueryOrders: market buy 0.1 LTC/USDT, cost 7.105741, fee 0.018475
    assert fee_for(D("7.105741"), D("0.0026"), fee_quantum(6)) == D("0.018475")


def test_fee_is_rounded_up_and_never_exceeds_the_cost() -> None:
    quantum = fee_quantum(5)
    assert fee_for(D("10"), D("0.0016"), quantum) == D("0.01600")
    assert fee_for(D("1.000001"), D("0.0016"), quantum) == D("0.00161")
    assert fee_for(D("0.000001"), D("0.0026"), quantum) == D("0.000001")  # dust: fee capped at cost


def test_instrument_fee_rates_are_used() -> None:
    cheap = msgspec.structs.replace(XRP, taker_fee=Decimal("0.001"))
    e = MatchingEngine(cheap, Account({"USD": "1000"}), FillModelConfig(latency_ns=0))
    e.submit(limit(Side.BUY, "100", "0.50010"), 1)
    (fill,) = trades_of(e.on_book(std_book(2)))
    assert fill.fee == D("0.05001")

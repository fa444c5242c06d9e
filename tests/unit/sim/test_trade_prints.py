"""Trade prints: resting limits fill when traded through (by the side that hits them); on a
trades-only feed, orders take from prints of their own side, slipped."""

from __future__ import annotations

from galfriday.core.types import LiquiditySide, OrderStatus, Side
from galfriday.sim.matching import ExecType, MatchingEngine
from galfriday.sim.matching.reasons import POST_ONLY
from tests.unit.sim._kit import D, engine, limit, market, std_book, trade, trades_of


def _resting_buy(**config: object) -> MatchingEngine:
    e = engine(**config)
    e.submit(limit(Side.BUY, "100", "0.49995"), 1)
    e.on_book(std_book(2))
    return e


def test_print_at_the_limit_does_not_fill_by_default() -> None:
    e = _resting_buy()
    assert e.on_trade(trade(3, "0.49995", "500", Side.SELL)) == []


def test_print_at_the_limit_fills_when_touch_is_enough() -> None:
    e = _resting_buy(limit_fill_on_touch=True)
    (fill,) = trades_of(e.on_trade(trade(3, "0.49995", "500", Side.SELL)))
    assert fill.last_price == D("0.49995") and fill.liquidity is LiquiditySide.MAKER


def test_print_through_the_limit_fills_at_the_limit_up_to_the_print_size() -> None:
    e = _resting_buy()
    (fill,) = trades_of(e.on_trade(trade(3, "0.49900", "30", Side.SELL)))
    assert (fill.last_qty, fill.last_price) == (D("30"), D("0.49995"))
    assert fill.status is OrderStatus.PARTIALLY_FILLED


def test_a_buyers_print_never_fills_a_resting_buy() -> None:
    e = _resting_buy()
    assert e.on_trade(trade(3, "0.49900", "30", Side.BUY)) == []


def test_one_print_is_shared_by_our_resting_orders_best_price_first() -> None:
    e = engine()
    e.submit(limit(Side.SELL, "100", "0.50050"), 1)
    e.submit(limit(Side.SELL, "100", "0.50040"), 1)
    e.on_book(std_book(2))
    fills = trades_of(e.on_trade(trade(3, "0.50100", "150", Side.BUY)))
    assert [(f.last_qty, f.last_price) for f in fills] == [(D("100"), D("0.50040")), (D("50"), D("0.50050"))]


def test_trades_only_feed_market_order_takes_from_a_same_side_print_slipped() -> None:
    e = engine(slippage_bps=D("10"))
    e.submit(market(Side.BUY, "50"), 1)
    assert e.on_trade(trade(2, "0.50000", "100", Side.SELL)) == []  # a seller's print: no evidence for us
    (new, fill, canceled) = e.on_trade(trade(3, "0.50000", "30", Side.BUY))
    assert new.exec_type is ExecType.NEW
    assert fill.last_price == D("0.50050") and fill.last_qty == D("30")  # 0.5 * 1.001, rounded up
    assert fill.liquidity is LiquiditySide.TAKER
    assert canceled.exec_type is ExecType.CANCELED and canceled.cum_qty == D("30")  # the print was all
    assert e.open_orders() == []


def test_trades_only_feed_limit_caps_the_slipped_price_then_rests() -> None:
    e = engine(slippage_bps=D("10"))
    e.submit(limit(Side.SELL, "50", "0.49990"), 1)
    fills = trades_of(e.on_trade(trade(2, "0.50000", "20", Side.SELL)))
    assert fills[0].last_price == D("0.49990")  # 0.4995 slipped, capped at the limit
    (order,) = e.open_orders()
    assert order.leaves_qty == D("30")
    (maker,) = trades_of(e.on_trade(trade(3, "0.50100", "100", Side.BUY)))
    assert maker.liquidity is LiquiditySide.MAKER and maker.last_price == D("0.49990")


def test_trades_only_feed_post_only_that_would_take_is_rejected() -> None:
    e = engine()
    e.submit(limit(Side.BUY, "50", "0.50010", post_only=True), 1)
    (report,) = e.on_trade(trade(2, "0.50000", "20", Side.BUY))
    assert report.reason == POST_ONLY

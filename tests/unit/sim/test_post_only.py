"""Post-only: refused if it would take liquidity when it reaches the book, else it rests as maker."""

from __future__ import annotations

from galfriday.core.types import LiquiditySide, OrderStatus, OrderType, Side, TimeInForce
from galfriday.sim.matching import ExecType, OrderRequest
from galfriday.sim.matching.reasons import INVALID_POST_ONLY, POST_ONLY
from tests.unit.sim._kit import D, book, engine, kinds, limit, std_book, trade, trades_of


def test_post_only_that_would_take_is_rejected_with_krakens_error_and_releases_funds() -> None:
    e = engine(usd="1000")
    e.submit(limit(Side.BUY, "100", "0.50010", post_only=True), 1)
    assert e.account.held("USD") > 0
    reports = e.on_book(std_book(2))
    assert kinds(reports) == [ExecType.REJECTED]
    assert reports[0].status is OrderStatus.REJECTED and reports[0].reason == POST_ONLY
    assert e.account.held("USD") == 0 and e.account.total("USD") == D("1000")


def test_post_only_that_does_not_cross_rests_and_fills_as_maker() -> None:
    e = engine()
    e.submit(limit(Side.SELL, "100", "0.50010", post_only=True), 1)
    assert kinds(e.on_book(book(2, [("0.49990", "10")], [("0.50020", "10")]))) == [ExecType.NEW]
    (fill,) = trades_of(e.on_trade(trade(3, "0.50015", "500", Side.BUY)))
    assert fill.liquidity is LiquiditySide.MAKER and fill.last_price == D("0.50010")


def test_post_only_is_refused_on_market_and_ioc_orders() -> None:
    e = engine()
    bad_market = OrderRequest(side=Side.BUY, order_type=OrderType.MARKET, qty=D("10"), post_only=True)
    bad_ioc = limit(Side.BUY, "10", "0.5", post_only=True, time_in_force=TimeInForce.IOC)
    for request in (bad_market, bad_ioc):
        (report,) = e.submit(request, 1)
        assert report.exec_type is ExecType.REJECTED and report.reason == INVALID_POST_ONLY

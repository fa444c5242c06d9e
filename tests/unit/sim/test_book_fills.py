"""Fills against an L2 book: level walking, exact averages, partial fills and what happens to rests."""

from __future__ import annotations

from galfriday.core.types import LiquiditySide, OrderStatus, OrderType, Side
from galfriday.sim.matching import ExecType, ExecutionReport, RemainderPolicy
from galfriday.sim.matching.reasons import IOC_REMAINDER, NO_LIQUIDITY
from tests.unit.sim._kit import D, book, engine, ioc, kinds, limit, market, std_book, trades_of


def test_market_buy_walks_the_asks_level_by_level_with_an_exact_average() -> None:
    e = engine()
    e.submit(market(Side.BUY, "250"), 1)
    reports = e.on_book(std_book(2))
    fills = trades_of(reports)
    assert [(f.last_qty, f.last_price) for f in fills] == [(D("100"), D("0.50010")), (D("150"), D("0.50020"))]
    last = fills[-1]
    assert last.status is OrderStatus.FILLED and last.cum_qty == D("250") and last.leaves_qty == 0
    assert last.cum_cost == D("100") * D("0.50010") + D("150") * D("0.50020") == D("125.04")
    assert last.avg_price == D("0.50016")  # 125.04 / 250, exact
    assert all(f.liquidity is LiquiditySide.TAKER for f in fills)


def test_market_sell_walks_the_bids() -> None:
    e = engine()
    e.submit(market(Side.SELL, "350"), 1)
    fills = trades_of(e.on_book(std_book(2)))
    assert [f.last_price for f in fills] == [D("0.49990"), D("0.49980"), D("0.49970")]
    assert [f.last_qty for f in fills] == [D("100"), D("200"), D("50")]


def test_limit_buy_takes_up_to_its_price_and_rests_the_rest() -> None:
    e = engine()
    e.submit(limit(Side.BUY, "400", "0.50020"), 1)
    reports = e.on_book(std_book(2))
    assert kinds(reports) == [ExecType.NEW, ExecType.TRADE, ExecType.TRADE]
    assert reports[-1].status is OrderStatus.PARTIALLY_FILLED and reports[-1].leaves_qty == D("100")
    (open_order,) = e.open_orders()
    assert open_order.leaves_qty == D("100") and open_order.cum_qty == D("300")


def test_market_rest_is_canceled_when_depth_runs_out() -> None:
    e = engine()
    e.submit(market(Side.BUY, "1000"), 1)
    reports = e.on_book(std_book(2))
    assert sum(f.last_qty for f in trades_of(reports)) == D("600")
    assert reports[-1].exec_type is ExecType.CANCELED and reports[-1].reason == NO_LIQUIDITY
    assert reports[-1].cum_qty == D("600") and reports[-1].leaves_qty == 0
    assert e.open_orders() == []


def test_market_rest_can_be_kept_to_take_later_liquidity() -> None:
    e = engine(market_remainder=RemainderPolicy.KEEP)
    e.submit(market(Side.BUY, "700"), 1)
    e.on_book(std_book(2))
    more = book(3, [("0.49990", "100")], [("0.50040", "500")])
    fills = trades_of(e.on_book(more))
    assert [(f.last_qty, f.last_price) for f in fills] == [(D("100"), D("0.50040"))]
    assert fills[-1].status is OrderStatus.FILLED


def test_ioc_fills_what_is_there_and_cancels_the_rest() -> None:
    e = engine()
    e.submit(ioc(Side.BUY, "250", "0.50010"), 1)
    reports = e.on_book(std_book(2))
    assert kinds(reports) == [ExecType.NEW, ExecType.TRADE, ExecType.CANCELED]
    assert reports[1].last_qty == D("100") and reports[2].reason == IOC_REMAINDER
    assert e.open_orders() == []


def test_ioc_that_cannot_trade_is_canceled_without_fills() -> None:
    e = engine()
    e.submit(ioc(Side.SELL, "10", "0.60000"), 1)
    reports = e.on_book(std_book(2))
    assert kinds(reports) == [ExecType.NEW, ExecType.CANCELED] and reports[-1].cum_qty == 0


def test_limit_that_does_not_cross_rests_without_fills() -> None:
    e = engine()
    e.submit(limit(Side.BUY, "50", "0.49000"), 1)
    reports = e.on_book(std_book(2))
    assert kinds(reports) == [ExecType.NEW] and reports[0].status is OrderStatus.NEW


def test_book_levels_may_be_plain_decimal_pairs() -> None:
    e = engine()
    e.submit(market(Side.BUY, "10"), 1)
    fills = trades_of(e.on_book_levels(2, [(D("0.4"), D("5"))], [(D("0.6"), D("50"))]))
    assert fills[0].last_price == D("0.6") and fills[0].last_qty == D("10")


def test_an_empty_opposite_side_fills_nothing() -> None:
    e = engine()
    e.submit(market(Side.BUY, "10"), 1)
    reports = e.on_book(book(2, [("0.49990", "100")], []))
    assert trades_of(reports) == [] and reports[-1].exec_type is ExecType.CANCELED


def test_a_trade_report_field_by_field() -> None:
    e = engine()
    (accepted,) = e.submit(limit(Side.BUY, "100", "0.50010", client_order_id="c-7"), 1)
    (new, fill) = e.on_book(std_book(2))
    assert new == ExecutionReport(
        exec_type=ExecType.NEW, status=OrderStatus.NEW, order_id=accepted.order_id, client_order_id="c-7",
        pair="XRP/USD", side=Side.BUY, order_type=OrderType.LIMIT, order_qty=D("100"),
        limit_price=D("0.50010"), trigger_price=None, cum_qty=D(0), leaves_qty=D("100"), cum_cost=D(0),
        cum_fee=D(0), ts_event=2, ts_init=2,
    )
    assert fill == ExecutionReport(
        exec_type=ExecType.TRADE, status=OrderStatus.FILLED, order_id=accepted.order_id,
        client_order_id="c-7", pair="XRP/USD", side=Side.BUY, order_type=OrderType.LIMIT,
        order_qty=D("100"), limit_price=D("0.50010"), trigger_price=None, cum_qty=D("100"),
        leaves_qty=D(0), cum_cost=D("50.01"), cum_fee=D("0.13003"), ts_event=2, ts_init=2,
        trade_id=fill.trade_id, last_qty=D("100"), last_price=D("0.50010"), fee=D("0.13003"),
        fee_asset="USD", liquidity=LiquiditySide.TAKER,
    )
    assert fill.trade_id and fill.avg_price == D("0.50010") and new.avg_price is None

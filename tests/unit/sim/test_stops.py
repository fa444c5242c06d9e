"""Stop-loss / take-profit (and -limit): triggers on the last trade (mid on book-only feeds), then
the order meets the market on the next data — a market order or a limit at ``limit_price``."""

from __future__ import annotations

from galfriday.core.types import LiquiditySide, OrderStatus, OrderType, Side
from galfriday.sim.matching import ExecType
from tests.unit.sim._kit import D, book, engine, kinds, std_book, stop, trade, trades_of

SL, TP = OrderType.STOP_LOSS, OrderType.TAKE_PROFIT
SLL, TPL = OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT_LIMIT


def test_sell_stop_loss_triggers_on_last_trade_and_fills_as_market_on_the_next_book() -> None:
    e = engine()
    e.submit(stop(SL, Side.SELL, "150", "0.49900"), 1)
    assert kinds(e.on_book(std_book(2))) == [ExecType.NEW]  # book alone does not trigger once trades flow
    assert kinds(e.on_trade(trade(3, "0.49950", "5", Side.SELL))) == []
    assert kinds(e.on_trade(trade(4, "0.49900", "5", Side.SELL))) == [ExecType.TRIGGERED]
    fills = trades_of(e.on_book(std_book(5)))
    assert [(f.last_qty, f.last_price) for f in fills] == [(D("100"), D("0.49990")), (D("50"), D("0.49980"))]
    assert all(f.liquidity is LiquiditySide.TAKER for f in fills) and fills[-1].status is OrderStatus.FILLED


def test_buy_stop_loss_triggers_on_a_rise() -> None:
    e = engine()
    e.submit(stop(SL, Side.BUY, "10", "0.50100"), 1)
    e.on_book(std_book(2))
    assert kinds(e.on_trade(trade(3, "0.50099", "5", Side.BUY))) == []
    assert kinds(e.on_trade(trade(4, "0.50150", "5", Side.BUY))) == [ExecType.TRIGGERED]
    assert trades_of(e.on_book(std_book(5)))[0].last_price == D("0.50010")


def test_take_profit_triggers_from_the_favourable_side() -> None:
    e = engine()
    e.submit(stop(TP, Side.SELL, "10", "0.50100"), 1)
    e.submit(stop(TP, Side.BUY, "10", "0.49800"), 1)
    e.on_book(std_book(2))
    assert kinds(e.on_trade(trade(3, "0.50100", "5", Side.BUY))) == [ExecType.TRIGGERED]
    reports = e.on_trade(trade(4, "0.49800", "5", Side.SELL))
    assert kinds(reports) == [ExecType.TRIGGERED] and reports[0].side is Side.BUY
    assert len(trades_of(e.on_book(std_book(5)))) == 2


def test_stop_loss_limit_becomes_a_limit_at_its_limit_price() -> None:
    e = engine()
    e.submit(stop(SLL, Side.SELL, "250", "0.49950", limit_price="0.49980"), 1)
    e.on_book(std_book(2))
    e.on_trade(trade(3, "0.49940", "5", Side.SELL))
    reports = e.on_book(std_book(4))
    fills = trades_of(reports)
    assert [(f.last_qty, f.last_price) for f in fills] == [(D("100"), D("0.49990")), (D("150"), D("0.49980"))]
    assert fills[-1].status is OrderStatus.FILLED


def test_take_profit_limit_rests_when_its_limit_is_not_reached() -> None:
    e = engine()
    e.submit(stop(TPL, Side.SELL, "50", "0.50000", limit_price="0.50100"), 1)
    e.on_book(std_book(2))
    e.on_trade(trade(3, "0.50005", "5", Side.BUY))
    assert trades_of(e.on_book(std_book(4))) == []
    (order,) = e.open_orders()
    assert order.status is OrderStatus.NEW and order.limit_price == D("0.50100")
    (fill,) = trades_of(e.on_trade(trade(5, "0.50110", "80", Side.BUY)))
    assert fill.last_price == D("0.50100") and fill.liquidity is LiquiditySide.MAKER


def test_on_a_book_only_feed_the_mid_triggers() -> None:
    e = engine()
    e.submit(stop(SL, Side.SELL, "10", "0.49900"), 1)
    assert kinds(e.on_book(std_book(2))) == [ExecType.NEW]  # mid 0.5
    low = book(3, [("0.49800", "100")], [("0.49900", "100")])  # mid 0.4985
    assert kinds(e.on_book(low)) == [ExecType.TRIGGERED]
    (fill,) = trades_of(e.on_book(book(4, [("0.49790", "100")], [("0.49900", "100")])))
    assert fill.last_price == D("0.49790")


def test_the_triggering_print_cannot_fill_the_stop_it_triggered() -> None:
    e = engine()
    e.submit(stop(SL, Side.SELL, "10", "0.49900"), 1)
    e.on_book(std_book(2))
    reports = e.on_trade(trade(3, "0.49800", "100", Side.SELL))
    assert kinds(reports) == [ExecType.TRIGGERED]
    (order,) = e.open_orders()
    assert order.cum_qty == 0

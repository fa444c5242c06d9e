"""The bar model: open + slippage for takers, a volume-share cap, limits only when traded through,
stops that gap fill at the open."""

from __future__ import annotations

from galfriday.core.types import LiquiditySide, OrderStatus, OrderType, Side, TimeInForce
from galfriday.sim.matching import ExecType
from galfriday.sim.matching.reasons import POST_ONLY
from tests.unit.sim._kit import MIN, D, bar, engine, ioc, kinds, limit, market, stop, trades_of


def test_market_order_fills_at_the_open_slipped_as_taker() -> None:
    e = engine(slippage_bps=D("5"))
    e.submit(market(Side.BUY, "100"), 0)
    (fill,) = trades_of(e.on_bar(bar(0, "0.50000", "0.51", "0.49", "0.5", "10000")))
    assert fill.last_price == D("0.50025") and fill.liquidity is LiquiditySide.TAKER
    assert fill.ts_event == MIN  # known at the bar's close


def test_sell_slippage_rounds_down_to_the_tick() -> None:
    e = engine(slippage_bps=D("3"))
    e.submit(market(Side.SELL, "100"), 0)
    (fill,) = trades_of(e.on_bar(bar(0, "0.50001", "0.51", "0.49", "0.5", "10000")))
    assert fill.last_price == D("0.49985")  # 0.50001 * 0.9997 = 0.499860..., floored


def test_participation_cap_spreads_a_market_order_over_bars() -> None:
    e = engine(max_bar_volume_share=D("0.1"), slippage_bps=D("0"))
    e.submit(market(Side.BUY, "250"), 0)
    first = trades_of(e.on_bar(bar(0, "0.5", "0.5", "0.5", "0.5", "1000")))
    second = trades_of(e.on_bar(bar(MIN, "0.6", "0.6", "0.6", "0.6", "1000")))
    third = trades_of(e.on_bar(bar(2 * MIN, "0.7", "0.7", "0.7", "0.7", "1000")))
    assert [f.last_qty for f in first + second + third] == [D("100"), D("100"), D("50")]
    assert third[0].status is OrderStatus.FILLED


def test_cap_is_shared_by_all_our_orders_in_a_bar_and_zero_volume_fills_nothing() -> None:
    e = engine(max_bar_volume_share=D("0.05"))
    e.submit(market(Side.BUY, "40"), 0)
    e.submit(market(Side.BUY, "40"), 0)
    assert trades_of(e.on_bar(bar(0, "0.5", "0.5", "0.5", "0.5", "0"))) == []
    fills = trades_of(e.on_bar(bar(MIN, "0.5", "0.5", "0.5", "0.5", "1000")))
    assert [f.last_qty for f in fills] == [D("40"), D("10")]


def test_limit_fills_only_when_the_bar_trades_through_it() -> None:
    e = engine()
    e.submit(limit(Side.BUY, "100", "0.49000"), 0)
    assert trades_of(e.on_bar(bar(0, "0.50", "0.51", "0.49000", "0.5", "10000"))) == []  # touched only
    (fill,) = trades_of(e.on_bar(bar(MIN, "0.50", "0.51", "0.48999", "0.5", "10000")))
    assert fill.last_price == D("0.49000") and fill.liquidity is LiquiditySide.MAKER


def test_limit_fills_on_touch_when_configured() -> None:
    e = engine(limit_fill_on_touch=True)
    e.submit(limit(Side.SELL, "100", "0.51000"), 0)
    (fill,) = trades_of(e.on_bar(bar(0, "0.50", "0.51000", "0.49", "0.5", "10000")))
    assert fill.last_price == D("0.51000")


def test_limit_crossing_the_open_takes_at_the_open_capped_at_the_limit() -> None:
    e = engine(slippage_bps=D("10"))
    e.submit(limit(Side.BUY, "100", "0.50020"), 0)
    (fill,) = trades_of(e.on_bar(bar(0, "0.50000", "0.51", "0.50", "0.5", "10000")))
    assert fill.last_price == D("0.50020") and fill.liquidity is LiquiditySide.TAKER


def test_ioc_on_bars_is_canceled_when_the_open_does_not_reach_it() -> None:
    e = engine()
    e.submit(ioc(Side.BUY, "100", "0.49"), 0)
    reports = e.on_bar(bar(0, "0.50", "0.51", "0.40", "0.5", "10000"))
    assert kinds(reports) == [ExecType.NEW, ExecType.CANCELED]


def test_post_only_crossing_the_open_is_rejected() -> None:
    e = engine()
    e.submit(limit(Side.SELL, "100", "0.49", post_only=True), 0)
    (report,) = e.on_bar(bar(0, "0.50", "0.51", "0.40", "0.5", "10000"))
    assert report.reason == POST_ONLY


def test_sell_stop_fills_at_the_trigger_when_the_bar_reaches_it() -> None:
    e = engine(slippage_bps=D("0"))
    e.submit(stop(OrderType.STOP_LOSS, Side.SELL, "100", "0.49000"), 0)
    reports = e.on_bar(bar(0, "0.50000", "0.505", "0.48000", "0.485", "10000"))
    assert kinds(reports) == [ExecType.NEW, ExecType.TRIGGERED, ExecType.TRADE]
    assert reports[-1].last_price == D("0.49000") and reports[-1].liquidity is LiquiditySide.TAKER


def test_stop_gapped_through_fills_at_the_worse_open_not_the_stop() -> None:
    e = engine(slippage_bps=D("0"))
    e.submit(stop(OrderType.STOP_LOSS, Side.SELL, "100", "0.49000"), 0)
    e.on_bar(bar(0, "0.50000", "0.505", "0.495", "0.5", "10000"))
    (fill,) = trades_of(e.on_bar(bar(MIN, "0.47000", "0.475", "0.46", "0.47", "10000")))
    assert fill.last_price == D("0.47000")


def test_buy_stop_triggers_when_the_high_reaches_it_and_gaps_fill_at_the_open() -> None:
    e = engine(slippage_bps=D("0"))
    e.submit(stop(OrderType.STOP_LOSS, Side.BUY, "10", "0.51000"), 0)
    e.submit(stop(OrderType.STOP_LOSS, Side.BUY, "10", "0.52000"), 0)
    e.on_bar(bar(0, "0.50", "0.50999", "0.49", "0.5", "10000"))
    fills = trades_of(e.on_bar(bar(MIN, "0.51500", "0.53", "0.51", "0.52", "10000")))
    assert [f.last_price for f in fills] == [D("0.51500"), D("0.52000")]


def test_take_profit_triggers_from_the_favourable_side_on_bars() -> None:
    e = engine(slippage_bps=D("0"))
    e.submit(stop(OrderType.TAKE_PROFIT, Side.SELL, "10", "0.52000"), 0)
    (fill,) = trades_of(e.on_bar(bar(0, "0.50", "0.53", "0.49", "0.5", "10000")))
    assert fill.last_price == D("0.52000")


def test_stop_limit_triggered_in_a_bar_meets_the_market_on_the_next_bar() -> None:
    e = engine(slippage_bps=D("0"))
    e.submit(stop(OrderType.STOP_LOSS_LIMIT, Side.SELL, "10", "0.49000", limit_price="0.48500"), 0)
    reports = e.on_bar(bar(0, "0.50", "0.50", "0.48", "0.485", "10000"))
    assert kinds(reports) == [ExecType.NEW, ExecType.TRIGGERED]
    (fill,) = trades_of(e.on_bar(bar(MIN, "0.48600", "0.49", "0.48", "0.485", "10000")))
    assert fill.last_price == D("0.48600") and fill.liquidity is LiquiditySide.TAKER


def test_ioc_stop_triggered_on_a_bar_cancels_what_the_volume_cap_left() -> None:
    e = engine(slippage_bps=D("0"), max_bar_volume_share=D("0.01"))
    e.submit(stop(OrderType.STOP_LOSS, Side.SELL, "100", "0.49000", tif=TimeInForce.IOC), 0)
    reports = e.on_bar(bar(0, "0.50000", "0.505", "0.48000", "0.485", "5000"))
    assert kinds(reports) == [ExecType.NEW, ExecType.TRIGGERED, ExecType.TRADE, ExecType.CANCELED]
    assert reports[2].last_qty == D("50") and reports[-1].cum_qty == D("50")

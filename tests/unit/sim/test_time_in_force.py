"""GTD expiry, cancels, and what the clock does when calls and data arrive out of order."""

from __future__ import annotations

from galfriday.core.types import OrderStatus, Side, TimeInForce
from galfriday.sim.matching import ExecType
from tests.unit.sim._kit import engine, kinds, limit, std_book, trade, trades_of


def test_gtd_order_expires_at_its_expire_time_before_data_at_that_time() -> None:
    e = engine()
    e.submit(limit(Side.BUY, "10", "0.49000", time_in_force=TimeInForce.GTD, expire_time_ns=100), 1)
    e.on_book(std_book(2))
    reports = e.on_trade(trade(100, "0.48000", "50", Side.SELL))
    assert kinds(reports) == [ExecType.EXPIRED] and reports[0].status is OrderStatus.EXPIRED
    assert e.account.held("USD") == 0


def test_gtd_expiry_is_reported_when_time_moves_without_data() -> None:
    e = engine()
    e.submit(limit(Side.BUY, "10", "0.49000", time_in_force=TimeInForce.GTD, expire_time_ns=100), 1)
    (expired,) = e.advance_to(500)
    assert expired.ts_event == 100 and expired.ts_init == 500


def test_gtd_order_fills_before_its_expiry() -> None:
    e = engine()
    e.submit(limit(Side.BUY, "10", "0.49000", time_in_force=TimeInForce.GTD, expire_time_ns=100), 1)
    e.on_book(std_book(2))
    assert trades_of(e.on_trade(trade(99, "0.48000", "50", Side.SELL)))[0].status is OrderStatus.FILLED
    assert e.advance_to(200) == []


def test_immediate_cancel_without_latency_releases_the_hold() -> None:
    e = engine(usd="100")
    (accepted,) = e.submit(limit(Side.BUY, "100", "0.50000", client_order_id="c1"), 1)
    assert e.account.available("USD") < 50
    (canceled,) = e.cancel(2, client_order_id="c1")
    assert canceled.exec_type is ExecType.CANCELED and canceled.order_id == accepted.order_id
    assert e.account.available("USD") == 100


def test_late_data_is_judged_by_its_own_timestamp() -> None:
    e = engine()
    e.on_book(std_book(100))
    e.submit(limit(Side.BUY, "10", "0.50000"), 100)
    e.on_book(std_book(101))
    assert e.on_trade(trade(50, "0.49000", "50", Side.SELL)) == []  # a late print from before the order
    assert e.now_ns == 101


def test_cancel_of_an_order_that_ends_while_time_catches_up_just_reports_its_end() -> None:
    e = engine()
    e.submit(limit(Side.BUY, "10", "0.49000", time_in_force=TimeInForce.GTD, expire_time_ns=100), 1)
    order_id = e.open_orders()[0].order_id
    (expired,) = e.cancel(200, order_id=order_id)
    assert expired.exec_type is ExecType.EXPIRED and e.open_orders() == []

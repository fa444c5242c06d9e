"""Submissions Kraken would refuse are refused with Kraken's error string and hold nothing."""

from __future__ import annotations

import pytest

from galfriday.core.types import OrderStatus, OrderType, Side, TimeInForce
from galfriday.sim.matching import ExecType, OrderRequest
from galfriday.sim.matching import reasons as r
from tests.unit.sim._kit import D, engine, limit, market, std_book, stop


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (limit(Side.BUY, "10.000000001", "0.5"), r.INVALID_VOLUME),  # finer than the 8-dp lot
        (limit(Side.BUY, "0", "0.5"), r.INVALID_VOLUME),
        (limit(Side.BUY, "9.99999999", "0.5"), r.VOLUME_MINIMUM),  # ordermin 10
        (limit(Side.BUY, "10", "0.500001"), r.INVALID_PRICE),  # finer than the 5-dp tick
        (limit(Side.BUY, "10", "-0.5"), r.INVALID_PRICE),
        (OrderRequest(side=Side.BUY, order_type=OrderType.LIMIT, qty=D("10")), r.INVALID_PRICE),
        (stop(OrderType.STOP_LOSS, Side.SELL, "10", "0.4000001"), r.INVALID_PRICE),
        (OrderRequest(side=Side.SELL, order_type=OrderType.STOP_LOSS_LIMIT, qty=D("10"),
                      trigger_price=D("0.4")), r.INVALID_LIMIT_PRICE),
        (limit(Side.BUY, "10", "0.04"), r.COST_MINIMUM),  # 0.4 USD < costmin 0.5
        (limit(Side.BUY, "10", "0.5", time_in_force=TimeInForce.GTD), r.INVALID_EXPIRE),
        (limit(Side.BUY, "10", "0.5", time_in_force=TimeInForce.GTD, expire_time_ns=5), r.INVALID_EXPIRE),
        (limit(Side.BUY, "10", "0.5", expire_time_ns=10**12), r.INVALID_EXPIRE),  # only GTD expires
        (limit(Side.BUY, "1000000", "0.5"), r.INSUFFICIENT_FUNDS),
        (limit(Side.SELL, "1000000", "0.5"), r.INSUFFICIENT_FUNDS),
    ],
)
def test_refused_submissions(request_: OrderRequest, reason: str) -> None:
    e = engine(usd="1000", xrp="1000")
    (report,) = e.submit(request_, 10)
    assert report.exec_type is ExecType.REJECTED and report.status is OrderStatus.REJECTED
    assert report.reason == reason and report.order_id == ""
    assert e.account.held("USD") == 0 and e.account.held("XRP") == 0


def test_market_cost_minimum_uses_the_book_once_there_is_one() -> None:
    e = engine()
    assert e.submit(market(Side.BUY, "10"), 1)[0].exec_type is ExecType.PENDING_NEW  # no price known yet
    e.on_book(std_book(2))
    cheap = e.submit(OrderRequest(side=Side.SELL, order_type=OrderType.MARKET, qty=D("10")), 3)
    assert cheap[0].exec_type is ExecType.PENDING_NEW  # 10 * 0.4999 >= 0.5


def test_market_buy_holds_funds_at_the_best_ask_plus_taker_fee() -> None:
    e = engine(usd="100")
    e.on_book(std_book(1))
    e.submit(market(Side.BUY, "100"), 2)
    assert e.account.held("USD") == D("50.01") + D("0.13003")
    (report,) = e.submit(market(Side.BUY, "100"), 3)
    assert report.reason == r.INSUFFICIENT_FUNDS


def test_client_order_id_must_not_be_reused_while_the_order_is_open() -> None:
    e = engine()
    e.submit(limit(Side.BUY, "10", "0.4", client_order_id="dup"), 1)
    (report,) = e.submit(limit(Side.BUY, "10", "0.4", client_order_id="dup"), 2)
    assert report.reason == r.DUPLICATE_CLIENT_ID
    e.cancel(3, client_order_id="dup")
    (again,) = e.submit(limit(Side.BUY, "10", "0.4", client_order_id="dup"), 4)
    assert again.exec_type is ExecType.PENDING_NEW


def test_floats_and_plain_strings_are_refused() -> None:
    e = engine()
    request = OrderRequest(side=Side.BUY, order_type=OrderType.MARKET, qty=10.0)  # type: ignore[arg-type]
    assert e.submit(request, 1)[0].reason == r.INVALID_VOLUME
    stringly = OrderRequest(side="BUY", order_type=OrderType.MARKET, qty=D(10))  # type: ignore[arg-type]
    assert e.submit(stringly, 2)[0].reason == r.INVALID_ARGUMENTS

"""Balances and holds: exact, never negative, misuse refused with a message that says why."""

from __future__ import annotations

import pytest

from galfriday.core.types import OrderType, Side
from galfriday.sim.errors import SimError
from galfriday.sim.matching import Account, ExecType
from galfriday.sim.matching.fees import fee_for, fee_quantum
from galfriday.sim.matching.reasons import INSUFFICIENT_FUNDS
from tests.unit.sim._kit import XRP, D, book, engine, market, std_book, stop, trade, trades_of


def test_holds_reduce_what_is_available_and_release_restores_it() -> None:
    a = Account({"USD": "100"})
    assert a.try_hold("USD", D("60")) and not a.try_hold("USD", D("41"))
    assert (a.total("USD"), a.held("USD"), a.available("USD")) == (D("100"), D("60"), D("40"))
    a.release("USD", D("60"))
    assert a.available("USD") == D("100") and a.balances() == {"USD": D("100")}


def test_misuse_is_refused() -> None:
    a = Account({"USD": "10"})
    with pytest.raises(SimError, match="only 10 is available"):
        a.withdraw("USD", "11")
    with pytest.raises(SimError, match="exceeds the held"):
        a.release("USD", D("1"))
    with pytest.raises(SimError, match="exceeds the available"):
        a.pay("USD", D("11"))
    with pytest.raises(SimError, match=">= 0"):
        a.deposit("USD", "-1")
    with pytest.raises(SimError, match=">= 0"):
        a.receive("USD", D("-1"))
    a.withdraw("USD", "10")
    assert a.total("USD") == 0 and a.total("XRP") == 0


def test_a_market_buy_the_account_cannot_fully_pay_is_cut_and_the_rest_canceled() -> None:
    e = engine(usd="30")
    e.submit(market(Side.BUY, "100"), 1)  # no price known yet: nothing held
    reports = e.on_book(std_book(2))
    (fill,) = trades_of(reports)
    assert fill.cum_cost + fill.fee <= D("30")  # the most 30 USD pays for at 0.50010 + 0.26 %
    one_lot_more = (fill.last_qty + XRP.lot) * fill.last_price
    assert one_lot_more + fee_for(one_lot_more, XRP.taker_fee, fee_quantum(5)) > D("30")
    assert reports[-1].exec_type is ExecType.CANCELED and reports[-1].reason == INSUFFICIENT_FUNDS
    assert e.account.total("USD") == D("30") - fill.cum_cost - fill.fee >= 0


def test_a_stop_that_gaps_pays_the_difference_from_the_available_balance() -> None:
    e = engine(usd="1000")
    e.submit(stop(OrderType.STOP_LOSS, Side.BUY, "100", "0.50000"), 1)
    held = e.account.held("USD")
    e.on_book(std_book(2))
    e.on_trade(trade(3, "0.60000", "10", Side.BUY))
    (fill,) = trades_of(e.on_book(book(4, [("0.59", "10")], [("0.60000", "1000")])))
    assert fill.cum_cost == D("60") and held < D("60")
    assert e.account.total("USD") == D("1000") - D("60") - fill.fee and e.account.held("USD") == 0

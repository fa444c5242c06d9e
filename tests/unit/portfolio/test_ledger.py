"""The ledger books fills exactly: average cost, realised P&L net of both fees, base-currency fees."""

from __future__ import annotations

import pytest

from galfriday.core.types import Side
from galfriday.portfolio.ledger import Ledger, LedgerError
from tests.unit.portfolio._kit import XRP, D


def ledger(cash: str = "10000") -> Ledger:
    return Ledger("USD", {"USD": D(cash)})


def test_round_trip_profit_is_net_of_entry_and_exit_fees() -> None:
    book = ledger()
    book.apply_fill(XRP, Side.BUY, D("1000"), D("0.50000"), D("1.30"), "USD")
    effect = book.apply_fill(XRP, Side.SELL, D("1000"), D("0.52000"), D("1.352"), "USD")

    # (0.52 - 0.50) x 1000 = 20.00 gross, minus 1.30 entry fee and 1.352 exit fee
    assert effect.realized == D("17.348")
    assert book.quote_cash == D("10017.348")
    assert book.fees_paid == D("2.652")
    assert book.position_qty("XRP/USD") == 0


def test_partial_fills_average_the_cost_and_allocate_fees_pro_rata() -> None:
    book = ledger()
    book.apply_fill(XRP, Side.BUY, D("100"), D("0.50000"), D("0.10"), "USD")
    book.apply_fill(XRP, Side.BUY, D("300"), D("0.54000"), D("0.30"), "USD")
    position = book.positions["XRP/USD"]
    assert position.avg_price == D("0.53")
    assert position.open_fees == D("0.40")

    effect = book.apply_fill(XRP, Side.SELL, D("100"), D("0.60000"), D("0.05"), "USD")
    # a quarter of the position: cost 53.00, entry fees 0.10, exit fee 0.05
    assert effect.realized == D("60") - D("53") - D("0.10") - D("0.05")
    assert position.qty == D("300") and position.open_fees == D("0.30")


def test_a_fee_in_base_currency_reduces_the_holding_and_is_valued_at_the_fill_price() -> None:
    book = ledger()
    effect = book.apply_fill(XRP, Side.BUY, D("1000"), D("0.50000"), D("2.6"), "XRP")

    assert book.position_qty("XRP/USD") == D("997.4")
    assert book.quote_cash == D("9500")
    assert book.fees_paid == D("1.3")  # 2.6 XRP at 0.5
    assert effect.fee_on_open == D("1.3")
    sell = book.apply_fill(XRP, Side.SELL, D("997.4"), D("0.50000"), D("0"), "USD")
    assert sell.realized == D("-1.3")  # flat price: the fee is the whole loss
    assert book.quote_cash == D("9998.7")


def test_a_sell_fee_in_base_currency_takes_extra_units() -> None:
    book = ledger()
    book.apply_fill(XRP, Side.BUY, D("1000"), D("0.50000"), D("0"), "USD")
    book.apply_fill(XRP, Side.SELL, D("997"), D("0.50000"), D("3"), "XRP")
    assert book.position_qty("XRP/USD") == 0
    assert book.quote_cash == D("9998.5")
    assert book.fees_paid == D("1.5")


def test_a_fee_in_a_third_currency_is_refused_before_anything_changes() -> None:
    book = ledger()
    with pytest.raises(LedgerError, match="KFEE, neither base nor quote"):
        book.apply_fill(XRP, Side.BUY, D("1000"), D("0.5"), D("10"), "KFEE")
    assert book.quote_cash == D("10000") and not book.positions and book.fees_paid == 0


def test_a_sell_larger_than_the_position_flips_it_rather_than_losing_the_fill() -> None:
    book = ledger()
    book.apply_fill(XRP, Side.BUY, D("100"), D("0.50000"), D("0"), "USD")
    effect = book.apply_fill(XRP, Side.SELL, D("150"), D("0.60000"), D("0.30"), "USD")
    assert effect.flipped and effect.closed == D("100") and effect.opened == D("50")
    assert effect.realized == D("10") - D("0.20")  # two thirds of the fee belongs to the closed part
    assert book.positions["XRP/USD"].qty == D("-50")
    assert book.positions["XRP/USD"].open_fees == D("0.10")


def test_equity_marks_positions_and_falls_back_to_cost_before_a_price() -> None:
    book = ledger()
    book.apply_fill(XRP, Side.BUY, D("1000"), D("0.50000"), D("1.30"), "USD")
    assert book.equity() == D("9998.70")  # cash 9498.70 + 500 at cost
    book.mark("XRP/USD", D("0.45"))
    assert book.equity() == D("9948.70")
    assert book.unrealized_pnl() == D("-50")


def test_pairs_quoted_elsewhere_are_refused() -> None:
    with pytest.raises(LedgerError, match="quoted in USD, the ledger in EUR"):
        Ledger("EUR").apply_fill(XRP, Side.BUY, D("1"), D("1"), D("0"), "EUR")

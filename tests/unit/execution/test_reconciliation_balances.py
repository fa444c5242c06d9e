"""Balances: the ledger's holdings per asset, Kraken's legacy asset codes, and the tolerance."""

from __future__ import annotations

from decimal import Decimal

from galfriday.core.instruments import default_instruments
from galfriday.core.types import Side
from galfriday.execution.reconcile_balances import balance_differences, ledger_holdings
from galfriday.execution.reconcile_report import ReconcileOptions
from galfriday.kraken.venue_assets import kraken_codes, spot_balance
from galfriday.portfolio.ledger import Ledger

INSTRUMENTS = default_instruments()
D = Decimal


def test_kraken_codes_cover_legacy_and_plain_spellings() -> None:
    assert kraken_codes("USD") == ("USD", "ZUSD", "XUSD")
    assert "XXDG" in kraken_codes("DOGE") and "XXBT" in kraken_codes("BTC") and "XXRP" in kraken_codes("XRP")
    balances = {"ZUSD": D("10.5"), "XXDG": D(7), "XXRP.F": D(99)}
    assert (spot_balance(balances, "USD"), spot_balance(balances, "DOGE"), spot_balance(balances, "XRP")) == (
        D("10.5"),
        D(7),
        D(0),  # earn balances are not spot funds
    )


def test_ledger_holdings_are_cash_plus_positions_per_asset() -> None:
    ledger = Ledger("USD", {"USD": D(1000), "XRP": D(5)})
    ledger.apply_fill(INSTRUMENTS["XRP/USD"], Side.BUY, D(100), D("0.5"), D("0.13"), "USD")
    assert ledger_holdings(ledger, INSTRUMENTS) == {"USD": D("949.87"), "XRP": D(105), "DOGE": D(0)}


def test_differences_beyond_the_tolerance_are_reported_with_both_values() -> None:
    tolerance = ReconcileOptions().balance_tolerance
    expected = {"USD": D("949.87"), "XRP": D(105), "DOGE": D(0)}
    kraken = {"ZUSD": D("949.875"), "XXRP": D(104), "XXDG": D(0)}
    assert balance_differences(expected, kraken, tolerance) == {"XRP": (D(105), D(104))}

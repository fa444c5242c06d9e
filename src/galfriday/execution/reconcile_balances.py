"""Balances: what the portfolio's ledger says the account holds, against Kraken's ``Balance``.

Compared are the assets the system trades — the quote currency and every instrument's base —
as totals (funds held by open orders included on both sides). The ledger's figure per asset is
its cash in that asset plus the position of every pair with that base; after reconciliation
has published every missing fill, a difference beyond the tolerance means money moved without
us (a deposit, a withdrawal, a manual trade) or our record is wrong: either way, unresolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol

from galfriday.core.instruments import Instrument
from galfriday.kraken.venue_assets import spot_balance
from galfriday.portfolio.ledger import Ledger

ZERO = Decimal(0)


class LedgerOwner(Protocol):
    """Anything that keeps the ledger: ``PortfolioManager``."""

    @property
    def ledger(self) -> Ledger: ...


def ledger_holdings(ledger: Ledger, instruments: Mapping[str, Instrument]) -> dict[str, Decimal]:
    """Asset -> what the ledger says the exchange account holds."""
    assets = {ledger.quote} | {i.base for i in instruments.values()}
    holdings = {asset: ledger.cash.get(asset, ZERO) for asset in assets}
    for instrument in instruments.values():
        holdings[instrument.base] += ledger.position_qty(instrument.symbol)
    return holdings


def balance_differences(
    expected: Mapping[str, Decimal], kraken: Mapping[str, Decimal], tolerance: Decimal
) -> dict[str, tuple[Decimal, Decimal]]:
    """Asset -> (ours, Kraken's) for every asset that differs by more than ``tolerance``."""
    found = {}
    for asset, ours in sorted(expected.items()):
        theirs = spot_balance(kraken, asset)
        if abs(ours - theirs) > tolerance:
            found[asset] = (ours, theirs)
    return found

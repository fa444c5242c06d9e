"""The portfolio as JSON: what a restart needs to continue exactly where it stopped.

Decimals are written as strings (JSON numbers would be floats somewhere along the way). The
format carries a version so a later release can migrate an older file instead of misreading it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from galfriday.core.errors import GalFridayError
from galfriday.portfolio.ledger import Ledger
from galfriday.portfolio.position import Position

STATE_VERSION = 1


class StateError(GalFridayError):
    """A saved portfolio state this version cannot read."""


def ledger_to_json(ledger: Ledger) -> dict[str, Any]:
    return {
        "quote": ledger.quote,
        "cash": {currency: str(amount) for currency, amount in ledger.cash.items()},
        "positions": {
            pair: {
                "qty": str(p.qty),
                "cost": str(p.cost),
                "open_fees": str(p.open_fees),
                "realized_pnl": str(p.realized_pnl),
            }
            for pair, p in ledger.positions.items()
        },
        "marks": {pair: str(price) for pair, price in ledger.marks.items()},
        "fees_paid": str(ledger.fees_paid),
        "net_deposits": str(ledger.net_deposits),
    }


def ledger_from_json(data: dict[str, Any]) -> Ledger:
    ledger = Ledger(data["quote"])
    ledger.cash = {currency: Decimal(amount) for currency, amount in data["cash"].items()}
    ledger.cash.setdefault(ledger.quote, Decimal(0))
    ledger.positions = {
        pair: Position(
            pair,
            qty=Decimal(p["qty"]),
            cost=Decimal(p["cost"]),
            open_fees=Decimal(p["open_fees"]),
            realized_pnl=Decimal(p["realized_pnl"]),
        )
        for pair, p in data["positions"].items()
    }
    ledger.marks = {pair: Decimal(price) for pair, price in data["marks"].items()}
    ledger.fees_paid = Decimal(data["fees_paid"])
    ledger.net_deposits = Decimal(data["net_deposits"])
    return ledger


def check_version(state: dict[str, Any]) -> None:
    version = state.get("version")
    if version != STATE_VERSION:
        raise StateError(
            f"portfolio state version {version!r} is not {STATE_VERSION}: it was written by another "
            "release; restore from the latest portfolio snapshot and fills instead"
        )

"""Trade-list fingerprints: one SHA-256 over every closed trade's canonical fields.

Stored with every result so two runs can be compared at a glance, and pinned by a golden test on
real data so a refactor that changes a single trade — a price, a fee, a timestamp, an exit reason —
is caught. Canonical form: one line per trade, in exit order, fields joined by ``|``; Decimals in
plain notation without trailing zeros (``1.10`` and ``1.1`` are the same money), times in epoch
nanoseconds. Process-random ids (signal, trade) are left out: they differ on every run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol


class _Trade(Protocol):
    pair: str
    side: str
    qty: Decimal
    avg_entry_price: Decimal
    avg_exit_price: Decimal
    entry_time_ns: int
    exit_time_ns: int
    fees: Decimal
    realized_pnl: Decimal
    exit_reason: str


def canonical_decimal(value: Decimal) -> str:
    """Plain notation, no trailing zeros, no exponent: the same number always reads the same."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def canonical_line(trade: _Trade) -> str:
    fields = (
        trade.pair,
        str(trade.side),
        canonical_decimal(trade.qty),
        canonical_decimal(trade.avg_entry_price),
        canonical_decimal(trade.avg_exit_price),
        str(trade.entry_time_ns),
        str(trade.exit_time_ns),
        canonical_decimal(trade.fees),
        canonical_decimal(trade.realized_pnl),
        str(trade.exit_reason),
    )
    return "|".join(fields)


def trade_fingerprint(trades: Iterable[_Trade]) -> str:
    digest = hashlib.sha256()
    for trade in trades:
        digest.update(canonical_line(trade).encode())
        digest.update(b"\n")
    return digest.hexdigest()

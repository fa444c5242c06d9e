"""Trade-list fingerprints: the same trades always hash the same; any change to one trade shows."""

from __future__ import annotations

import dataclasses
import hashlib
from decimal import Decimal

from galfriday.backtest.fingerprint import canonical_decimal, canonical_line, trade_fingerprint
from galfriday.backtest.rows import TradeRow

TRADE = TradeRow(
    trade_no=1, signal_no=1, pair="XRP/USD", side="BUY", qty=Decimal("100.00000000"), entry_time_ns=1,
    exit_time_ns=2, avg_entry_price=Decimal("0.50000"), avg_exit_price=Decimal("0.51"),
    fees=Decimal("0.20600"), realized_pnl=Decimal("0.794"), realized_pnl_pct=0.01588, exit_reason="TP_HIT",
)  # fmt: skip


def test_decimals_are_canonical_whatever_their_exponent() -> None:
    assert canonical_decimal(Decimal("0.50000")) == canonical_decimal(Decimal("0.5")) == "0.5"
    assert canonical_decimal(Decimal("1E+2")) == "100"
    assert canonical_decimal(Decimal("-0.000")) == "0"


def test_the_line_holds_every_canonical_field_and_no_random_id() -> None:
    assert canonical_line(TRADE) == "XRP/USD|BUY|100|0.5|0.51|1|2|0.206|0.794|TP_HIT"


def test_fingerprint_is_the_sha256_of_the_lines() -> None:
    expected = hashlib.sha256(b"XRP/USD|BUY|100|0.5|0.51|1|2|0.206|0.794|TP_HIT\n").hexdigest()
    assert trade_fingerprint([TRADE]) == expected
    assert trade_fingerprint([]) == hashlib.sha256().hexdigest()


def test_any_change_to_a_trade_or_their_order_changes_it() -> None:
    base = trade_fingerprint([TRADE, dataclasses.replace(TRADE, trade_no=2, entry_time_ns=3, exit_time_ns=4)])
    changed = [
        dataclasses.replace(TRADE, avg_exit_price=Decimal("0.51001")),
        dataclasses.replace(TRADE, fees=Decimal("0.20601")),
        dataclasses.replace(TRADE, exit_time_ns=3),
        dataclasses.replace(TRADE, exit_reason="SL_HIT"),
    ]
    for other in changed:
        assert trade_fingerprint([other, TRADE]) != base
    # ids and numbering are not part of it; zeros after the point are not either
    renumbered = dataclasses.replace(TRADE, trade_no=7, signal_no=None, qty=Decimal("100"))
    assert trade_fingerprint([renumbered]) == trade_fingerprint([TRADE])

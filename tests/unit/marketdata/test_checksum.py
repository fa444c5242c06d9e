"""Kraken's book checksum: the official vector, the formatting rules, fast path == documented path."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from galfriday.marketdata.book import OrderBook
from galfriday.marketdata.checksum import (
    LevelFormatter,
    checksum_from_fragments,
    checksum_v1,
    checksum_v2,
    digits,
    fixed_digits,
)


@pytest.fixture(scope="module")
def vector(shared_data: Path) -> dict:
    return json.loads((shared_data / "kraken-docs/official_test_vectors.json").read_text())[
        "ws_v2_book_checksum"
    ]


def _levels(rows: list[list[str]]) -> list[tuple[Decimal, Decimal]]:
    return [(Decimal(p), Decimal(q)) for p, q in rows]


def test_official_vector_reference(vector: dict) -> None:
    asks, bids = _levels(vector["asks"]), _levels(vector["bids"])
    assert checksum_v2(asks, bids, vector["price_precision"], vector["qty_precision"]) == 3310070434


def test_official_vector_cached_fragments_and_order_book(vector: dict) -> None:
    fmt = LevelFormatter(vector["price_precision"], vector["qty_precision"])
    asks, bids = _levels(vector["asks"]), _levels(vector["bids"])
    ask_frags = [fmt.fragment(p, q) for p, q in asks]
    bid_frags = [fmt.fragment(p, q) for p, q in bids]
    assert b"".join(ask_frags).decode() == vector["derived_asks_string"]
    assert b"".join(bid_frags).decode() == vector["derived_bids_string"]
    assert checksum_from_fragments(ask_frags, bid_frags) == 3310070434

    book = OrderBook("BTC/USD", 10, vector["price_precision"], vector["qty_precision"])
    book.apply_snapshot(reversed(bids), reversed(asks))  # order on input must not matter
    assert book.checksum() == 3310070434
    assert book.verify(3310070434) and book.valid


def test_official_vector_with_trailing_zeros_lost(vector: dict) -> None:
    """JSON numbers decoded as 0.001 instead of 0.00100000 still checksum at the pair's precision."""
    asks = [(Decimal(p).normalize(), Decimal(q).normalize()) for p, q in vector["asks"]]
    bids = [(Decimal(p).normalize(), Decimal(q).normalize()) for p, q in vector["bids"]]
    book = OrderBook("BTC/USD", 10, 1, 8)
    book.apply_snapshot(bids, asks)
    assert book.checksum() == 3310070434


def test_v1_documented_formatting() -> None:
    assert digits("0.05000") == "5000"
    assert digits("0.00000304") == "304"
    rows = [("0.05000", "0.00000304")]
    assert checksum_v1(rows, rows) == checksum_from_fragments([b"5000304"], [b"5000304"])


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        ("45285.2", 1, "452852"),
        ("0.001", 8, "100000"),
        ("0.00100000", 8, "100000"),
        ("1E-8", 8, "1"),
        ("29431", 1, "294310"),
        ("1E+3", 2, "100000"),
        ("4.0", 8, "400000000"),
        ("0.25", 1, "2"),  # more decimals than the precision: documented formatting (rounds half even)
        ("0", 5, ""),
    ],
)
def test_fixed_digits(value: str, decimals: int, expected: str) -> None:
    assert fixed_digits(Decimal(value), decimals) == expected


@given(
    st.decimals(min_value=Decimal("1E-12"), max_value=Decimal("1E9"), allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=12),
)
def test_fast_formatting_equals_documented_formatting(value: Decimal, decimals: int) -> None:
    assert fixed_digits(value, decimals) == digits(f"{value:.{decimals}f}")


def test_formatter_rejects_negative_precision() -> None:
    with pytest.raises(ValueError, match="precisions must be >= 0"):
        LevelFormatter(-1, 8)

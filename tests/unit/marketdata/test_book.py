"""OrderBook semantics: set-not-add, deletes, truncation, validity, accessors, real recordings."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from galfriday.core.events import BookLevel
from galfriday.core.types import Side
from galfriday.marketdata.book import OrderBook, Verdict
from galfriday.marketdata.book_replay import iter_raw_messages, parse_book_messages
from galfriday.marketdata.checksum import checksum_v2


def lv(*pairs: tuple[str, str]) -> list[tuple[D, D]]:
    return [(D(p), D(q)) for p, q in pairs]


def make_book(depth: int = 10) -> OrderBook:
    book = OrderBook("XRP/USD", depth, 5, 8)
    book.apply_snapshot(
        lv(("0.50000", "10"), ("0.49990", "20"), ("0.49980", "30")),
        lv(("0.50010", "5"), ("0.50020", "6"), ("0.50030", "7")),
    )
    return book


def test_snapshot_sorts_any_order_and_is_valid() -> None:
    book = OrderBook("XRP/USD", 10, 5, 8)
    assert not book.valid
    book.apply_snapshot(
        lv(("0.49980", "30"), ("0.50000", "10"), ("0.49990", "20")), lv(("0.50030", "7"), ("0.50010", "5"))
    )
    assert book.valid
    bids, asks = book.levels()
    assert [p for p, _ in bids] == [D("0.50000"), D("0.49990"), D("0.49980")]
    assert [p for p, _ in asks] == [D("0.50010"), D("0.50030")]


def test_snapshot_duplicate_price_later_wins_and_zero_is_dropped() -> None:
    book = OrderBook("XRP/USD", 10, 5, 8)
    book.apply_snapshot(lv(("0.5", "1"), ("0.5", "3"), ("0.4", "0")), [])
    assert book.levels()[0] == [(D("0.5"), D("3"))]


def test_update_sets_quantity_not_adds() -> None:
    book = make_book()
    book.apply_update(lv(("0.50000", "4")), [])
    assert book.top(1)[0] == (BookLevel(D("0.50000"), D("4")),)


def test_zero_removes_level_and_absent_zero_is_ignored() -> None:
    book = make_book()
    book.apply_update(lv(("0.50000", "0"), ("0.40000", "0")), [])
    assert book.best_bid == D("0.49990")
    assert len(book.levels()[0]) == 2


def test_same_price_twice_in_one_message_later_wins() -> None:
    book = make_book()
    book.apply_update([], lv(("0.50005", "1"), ("0.50005", "0"), ("0.50010", "9"), ("0.50010", "8")))
    assert book.levels()[1][:2] == [(D("0.50010"), D("8")), (D("0.50020"), D("6"))]


def test_truncates_to_depth_after_whole_message() -> None:
    book = make_book(depth=3)
    # a better bid pushes the worst out; a removal in the same message does not bring it back
    book.apply_update(lv(("0.50005", "1"), ("0.49990", "0")), [])
    assert [p for p, _ in book.levels()[0]] == [D("0.50005"), D("0.50000"), D("0.49980")]
    book.apply_update(lv(("0.50006", "1")), lv(("0.50001", "1"), ("0.50002", "1")))
    assert [p for p, _ in book.levels()[0]] == [D("0.50006"), D("0.50005"), D("0.50000")]
    assert [p for p, _ in book.levels()[1]] == [D("0.50001"), D("0.50002"), D("0.50010")]


def test_accessors() -> None:
    book = make_book()
    assert book.best_bid == D("0.50000")
    assert book.best_ask == D("0.50010")
    assert book.spread == D("0.00010")
    assert book.mid == D("0.50005")
    assert not book.is_crossed
    assert book.depth_qty(Side.BUY, 2) == D("30")
    assert book.depth_qty(Side.SELL, 10) == D("18")
    assert book.depth_qty(Side.SELL, 0) == D("0")
    assert book.imbalance(1) == (D("10") - D("5")) / D("15")
    bids, asks = book.top(2)
    assert bids == (BookLevel(D("0.50000"), D("10")), BookLevel(D("0.49990"), D("20")))
    assert asks == (BookLevel(D("0.50010"), D("5")), BookLevel(D("0.50020"), D("6")))
    assert all(isinstance(x.price, D) for x in bids + asks)


def test_empty_book_accessors() -> None:
    book = OrderBook("XRP/USD", 10, 5, 8)
    assert book.best_bid is None and book.best_ask is None
    assert book.spread is None and book.mid is None and book.imbalance(5) is None
    assert not book.is_crossed
    assert book.top(5) == ((), ())


def test_crossed_and_locked() -> None:
    book = make_book()
    book.apply_update(lv(("0.50010", "1")), [])
    assert book.is_crossed  # locked counts: a bid at the ask is not a usable spot book


def test_top_cache_follows_changes() -> None:
    book = make_book()
    first = book.top(1)
    book.apply_update(lv(("0.50001", "2")), [])
    assert book.top(1) != first
    assert book.top(1)[0] == (BookLevel(D("0.50001"), D("2")),)


def test_mismatch_invalidates_until_snapshot() -> None:
    book = make_book()
    good = book.checksum()
    assert book.apply_message([], [], good, snapshot=False) is Verdict.VERIFIED
    assert book.apply_message(lv(("0.4", "1")), [], 12345, snapshot=False) is Verdict.MISMATCH
    assert not book.valid
    assert book.apply_message([], [], 0, snapshot=False) is Verdict.SKIPPED
    bids, asks = book.levels()
    book.apply_snapshot(bids, asks)
    assert book.valid
    assert book.apply_message(bids, asks, None, snapshot=True) is Verdict.UNCHECKED


def test_verify_never_revalidates() -> None:
    book = make_book()
    book.invalidate()
    assert book.verify(book.checksum())
    assert not book.valid


def test_rejects_bad_depth() -> None:
    with pytest.raises(ValueError, match="depth must be >= 1"):
        OrderBook("XRP/USD", 0, 5, 8)


@pytest.mark.parametrize(
    ("name", "price_dp", "qty_dp", "expected"),
    [("orderbook-v2.json", 1, 8, 510), ("orderbook-v1.json", 5, 8, 979)],
)
def test_real_recordings_verify_and_match_reference(
    shared_data: Path, name: str, price_dp: int, qty_dp: int, expected: int
) -> None:
    """Every checksum of the real recordings verifies, and each verified state equals the reference."""
    book: OrderBook | None = None
    verified = 0
    for raw in iter_raw_messages(shared_data / "python-kraken-sdk" / name):
        for msg in parse_book_messages(raw):
            book = book or OrderBook(msg.pair, 10, price_dp, qty_dp)
            verdict = book.apply_message(msg.bids, msg.asks, msg.checksum, snapshot=msg.is_snapshot)
            assert verdict in (Verdict.VERIFIED, Verdict.UNCHECKED)
            bids, asks = book.levels()
            if msg.checksum is not None:
                assert checksum_v2(asks, bids, price_dp, qty_dp) == msg.checksum
                verified += 1
    assert verified == expected

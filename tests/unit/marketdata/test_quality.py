"""Data-quality checks: what is dropped, what is only reported."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from galfriday.kraken.ws_schemas import BookUpdate, Trade
from galfriday.marketdata.book import OrderBook
from galfriday.marketdata.quality import DataQualityChecker, IssueKind, QualityThresholds

S = 1_000_000_000


def book(ts: int | None, bids=(), asks=()) -> BookUpdate:
    return BookUpdate(symbol="XRP/USD", bids=list(bids), asks=list(asks), checksum=0, ts_ns=ts)


def trade(trade_id: int, ts: int, price: str = "0.5", qty: str = "10") -> Trade:
    return Trade(
        symbol="XRP/USD",
        side="buy",
        price=D(price),
        qty=D(qty),
        ord_type="limit",
        trade_id=trade_id,
        ts_ns=ts,
    )


@pytest.mark.parametrize(
    ("price", "qty"),
    [
        ("NaN", "1"),
        ("0.5", "NaN"),
        ("Infinity", "1"),
        ("0", "1"),
        ("-0.5", "1"),
        ("0.5", "-1"),
        ("sNaN", "1"),
    ],
)
def test_bad_book_values_are_dropped(price: str, qty: str) -> None:
    (issue,) = DataQualityChecker().check_book(book(1, bids=[(D(price), D(qty))]), is_snapshot=False)
    assert issue.kind == IssueKind.BAD_VALUE and issue.drop


def test_zero_qty_in_update_is_a_delete_not_an_issue() -> None:
    assert DataQualityChecker().check_book(book(1, asks=[(D("0.5"), D("0"))]), is_snapshot=False) == ()


def test_book_timestamps_out_of_order_and_gap() -> None:
    checker = DataQualityChecker(QualityThresholds(max_exchange_gap_s=30))
    assert checker.check_book(book(100 * S), is_snapshot=False) == ()
    (old,) = checker.check_book(book(99 * S), is_snapshot=False)
    assert old.kind == IssueKind.OUT_OF_ORDER and old.drop
    assert checker.check_book(book(100 * S), is_snapshot=False) == ()  # equal is fine
    (gap,) = checker.check_book(book(131 * S), is_snapshot=False)
    assert gap.kind == IssueKind.GAP and not gap.drop
    assert checker.check_book(book(None), is_snapshot=False) == ()
    assert checker.check_book(book(5 * S), is_snapshot=True) == ()  # a snapshot restarts the sequence


def test_trades_duplicate_out_of_order_bad() -> None:
    checker = DataQualityChecker(QualityThresholds(trade_id_memory=2))
    assert checker.check_trade(trade(1, 10 * S)) is None
    dup = checker.check_trade(trade(1, 10 * S))
    assert dup is not None and dup.kind == IssueKind.DUPLICATE and dup.drop
    late = checker.check_trade(trade(2, 9 * S))
    assert late is not None and late.kind == IssueKind.OUT_OF_ORDER and late.drop
    bad = checker.check_trade(trade(3, 11 * S, qty="0"))
    assert bad is not None and bad.kind == IssueKind.BAD_VALUE
    assert checker.check_trade(trade(2, 11 * S)) is None
    assert checker.check_trade(trade(3, 11 * S)) is None
    assert checker.check_trade(trade(1, 12 * S)) is None  # forgotten: memory holds 2 ids


def test_silence_on_the_connection_is_a_gap() -> None:
    checker = DataQualityChecker(QualityThresholds(max_silence_s=5))
    assert checker.check_arrival(0) is None
    assert checker.check_arrival(5 * S) is None
    issue = checker.check_arrival(11 * S)
    assert issue is not None and issue.kind == IssueKind.GAP and not issue.drop
    checker.connection_lost()
    assert checker.check_arrival(100 * S) is None


def test_crossed_book() -> None:
    b = OrderBook("XRP/USD", 10, 5, 8)
    b.apply_snapshot([(D("0.5"), D("1"))], [(D("0.6"), D("1"))])
    assert DataQualityChecker.check_crossed(b) is None
    b.apply_update([(D("0.6"), D("1"))], [])
    issue = DataQualityChecker.check_crossed(b)
    assert issue is not None and issue.kind == IssueKind.CROSSED_BOOK and issue.drop


def test_thresholds_must_be_positive() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        QualityThresholds(max_silence_s=0)

"""Data-quality checks run on every market-data message before it reaches a book or the bus.

A check returns the issues it found; each issue says whether the message must be dropped. The
ingestor counts, logs and publishes every issue as ``DataQualityIssueDetected(kind=...)``.

Dropped: non-finite or non-positive prices, negative or non-finite quantities, exchange timestamps
that go backwards, repeated trade ids, and a crossed book (that state is not published). Reported
but kept: a large jump between a pair's exchange timestamps and silence on the connection longer
than heartbeats allow (data may be missing; the book checksum or the staleness HALT takes it
from there).

Dropping a book update is safe at depth 10: the next update's checksum covers the whole book, so a
missed real change shows up as a mismatch and a fresh snapshot.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from galfriday.kraken.ws_schemas import BookUpdate, Trade
from galfriday.marketdata.book import OrderBook

NS_PER_S = 1_000_000_000


class IssueKind:
    """The ``kind`` strings of ``DataQualityIssueDetected``."""

    GAP = "gap"
    OUT_OF_ORDER = "out_of_order"
    DUPLICATE = "duplicate"
    CROSSED_BOOK = "crossed_book"
    BAD_VALUE = "bad_value"
    MALFORMED = "malformed"


class QualityIssue(NamedTuple):
    kind: str
    detail: str
    drop: bool  # True: the message must not reach the book or the bus


@dataclass(frozen=True, slots=True)
class QualityThresholds:
    """When a jump or a silence counts as a gap; how many trade ids to remember per pair."""

    max_exchange_gap_s: float = 30.0
    max_silence_s: float = 5.0  # Kraken sends a heartbeat about every second when idle
    trade_id_memory: int = 10_000

    def __post_init__(self) -> None:
        if self.max_exchange_gap_s <= 0 or self.max_silence_s <= 0 or self.trade_id_memory < 1:
            raise ValueError(f"quality thresholds must be positive, got {self}")


_NONE: tuple[QualityIssue, ...] = ()


def bad_level(levels: Iterable[tuple[Decimal, Decimal]]) -> str | None:
    """Why a list of (price, qty) is unusable, or None. Zero qty is allowed: it deletes a level."""
    for price, qty in levels:
        if not (price.is_finite() and qty.is_finite()):
            return f"non-finite level {price} x {qty}"
        if price <= 0 or qty < 0:
            return f"non-positive level {price} x {qty}"
    return None


class DataQualityChecker:
    """Stateful checks per pair (last exchange timestamps, recent trade ids)."""

    def __init__(self, thresholds: QualityThresholds | None = None) -> None:
        self.thresholds = thresholds or QualityThresholds()
        self._gap_ns = int(self.thresholds.max_exchange_gap_s * NS_PER_S)
        self._silence_ns = int(self.thresholds.max_silence_s * NS_PER_S)
        self._book_ts: dict[str, int] = {}
        self._trade_ts: dict[str, int] = {}
        self._trade_ids: dict[str, tuple[set[int], deque[int]]] = {}
        self._last_arrival_ns: int | None = None

    def check_arrival(self, now_ns: int) -> QualityIssue | None:
        """Any frame arrived at ``now_ns``: report the silence before it if it was too long."""
        last = self._last_arrival_ns
        self._last_arrival_ns = now_ns
        if last is not None and now_ns - last > self._silence_ns:
            return QualityIssue(
                IssueKind.GAP, f"no message for {(now_ns - last) / NS_PER_S:.1f}s (heartbeats missing)", False
            )
        return None

    def connection_lost(self) -> None:
        """A reconnect is not silence on a live connection; start the arrival clock afresh."""
        self._last_arrival_ns = None

    def check_book(self, update: BookUpdate, is_snapshot: bool) -> tuple[QualityIssue, ...]:
        bad = bad_level(update.bids) or bad_level(update.asks)
        if bad is not None:
            return (
                QualityIssue(
                    IssueKind.BAD_VALUE, f"book {'snapshot' if is_snapshot else 'update'}: {bad}", True
                ),
            )
        ts = update.ts_ns
        if ts is None:
            return _NONE
        pair = update.symbol
        last = self._book_ts.get(pair)
        if is_snapshot or last is None:
            self._book_ts[pair] = ts
            return _NONE
        if ts < last:
            return (
                QualityIssue(IssueKind.OUT_OF_ORDER, f"book update at {ts} ns is older than {last} ns", True),
            )
        self._book_ts[pair] = ts
        if ts - last > self._gap_ns:
            return (QualityIssue(IssueKind.GAP, f"book updates {(ts - last) / NS_PER_S:.1f}s apart", False),)
        return _NONE

    def check_trade(self, trade: Trade) -> QualityIssue | None:
        if not (trade.price.is_finite() and trade.qty.is_finite()) or trade.price <= 0 or trade.qty <= 0:
            return QualityIssue(
                IssueKind.BAD_VALUE, f"trade {trade.trade_id}: {trade.price} x {trade.qty}", True
            )
        pair = trade.symbol
        seen = self._trade_ids.get(pair)
        if seen is None:
            seen = self._trade_ids[pair] = (set(), deque())
        ids, order = seen
        if trade.trade_id in ids:
            return QualityIssue(IssueKind.DUPLICATE, f"trade id {trade.trade_id} seen before", True)
        last = self._trade_ts.get(pair)
        if last is not None and trade.ts_ns < last:
            return QualityIssue(
                IssueKind.OUT_OF_ORDER,
                f"trade {trade.trade_id} at {trade.ts_ns} ns is older than {last} ns",
                True,
            )
        self._trade_ts[pair] = trade.ts_ns
        ids.add(trade.trade_id)
        order.append(trade.trade_id)
        if len(order) > self.thresholds.trade_id_memory:
            ids.discard(order.popleft())
        return None

    @staticmethod
    def check_crossed(book: OrderBook) -> QualityIssue | None:
        if book.is_crossed:
            return QualityIssue(
                IssueKind.CROSSED_BOOK, f"best bid {book.best_bid} >= best ask {book.best_ask}", True
            )
        return None

"""DataIngestor: decoded Kraken messages in, verified market-data events out.

It is the consumer the WS client hands every decoded message to (``on_message``), and it keeps
one ``OrderBook`` per pair. A book reaches the bus only as ``OrderBookUpdated`` right after a
message whose checksum verified; trading never sees a book that is not in step with Kraken's.

On a checksum mismatch the book is dropped (invalid until a fresh snapshot verifies), the
mismatch is counted, logged and published as ``BookChecksumMismatched``, and the client is asked
to resubscribe the pair. A lost connection invalidates every book, so post-reconnect data is
never applied to pre-drop state. Data-quality checks (``quality.py``) run before anything touches
a book or the bus. A pair with no verified book update for ``stale_after_s`` gets
``MarketDataStale`` (a clock alert, so it runs the same on ``SimClock`` and ``LiveClock``).

Checksums need the pair's precisions: they come from ``instruments`` at construction and from the
WS ``instrument`` channel, which also yields ``InstrumentUpdated``. The ingestor does no I/O.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, Protocol

from galfriday.core.clock import Clock
from galfriday.core.events import (
    BookChecksumMismatched,
    DataQualityIssueDetected,
    InstrumentUpdated,
    MarketDataStale,
    MarketTradeReceived,
    OrderBookUpdated,
    TimeEvent,
)
from galfriday.core.instruments import Instrument
from galfriday.core.types import Side
from galfriday.kraken.ws_schemas import (
    BookMessage,
    BookUpdate,
    InstrumentMessage,
    PairInfo,
    StatusMessage,
    SubscriptionAck,
    TradeMessage,
    WsMessage,
)
from galfriday.marketdata.book import OrderBook, Verdict
from galfriday.marketdata.checksum import CHECKSUM_LEVELS
from galfriday.marketdata.quality import (
    DataQualityChecker,
    IssueKind,
    QualityIssue,
    QualityThresholds,
)

logger = logging.getLogger(__name__)

NS_PER_S = 1_000_000_000

#: Snapshots that fail their own checksum this many times in a row mean the precision is wrong;
#: resubscribing again would only hammer Kraken, so the pair is left to go stale (→ HALT).
MAX_SNAPSHOT_MISMATCHES = 3


class Publisher(Protocol):
    def publish(self, event: Any) -> None: ...


class BookResubscriber(Protocol):
    def resubscribe_book(self, pair: str) -> None: ...


class _Pair:
    """Per-pair state: the book, its precisions and the staleness bookkeeping."""

    __slots__ = (
        "awaiting_precision",
        "book",
        "last_book_ns",
        "mismatches",
        "resubscribe_pending",
        "snapshot_mismatches",
        "stale",
    )

    def __init__(self) -> None:
        self.book: OrderBook | None = None
        self.awaiting_precision = False
        self.last_book_ns = 0
        self.stale = False
        self.mismatches = 0
        self.snapshot_mismatches = 0
        self.resubscribe_pending = False


class DataIngestor:
    """Per-pair checksum-verified books, trades and instruments → events on the bus."""

    def __init__(
        self,
        bus: Publisher,
        clock: Clock,
        pairs: Sequence[str],
        *,
        depth: int = 10,
        top_n: int = 10,
        stale_after_s: float = 60.0,
        instruments: Mapping[str, Instrument] | None = None,
        thresholds: QualityThresholds | None = None,
        resubscriber: BookResubscriber | None = None,
    ) -> None:
        if not pairs:
            raise ValueError("DataIngestor needs at least one pair, e.g. ['XRP/USD']")
        if stale_after_s <= 0 or top_n < 1:
            raise ValueError(f"stale_after_s must be > 0 and top_n >= 1 (got {stale_after_s}, {top_n})")
        self._bus = bus
        self._clock = clock
        self.depth = depth
        self.top_n = top_n
        self._stale_ns = int(stale_after_s * NS_PER_S)
        self.resubscriber = resubscriber
        self._quality = DataQualityChecker(thresholds)
        self._pairs: dict[str, _Pair] = {p: _Pair() for p in pairs}
        for pair, inst in (instruments or {}).items():
            if pair in self._pairs:
                self._pairs[pair].book = OrderBook(pair, depth, inst.price_decimals, inst.lot_decimals)
        self._counts: Counter[str] = Counter()
        self._issues: Counter[str] = Counter()
        self.exchange_status = "unknown"
        self._running = False

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Arm the staleness alerts; every pair must see a verified book within ``stale_after_s``."""
        if self._running:
            return
        self._running = True
        now = self._clock.timestamp_ns()
        for pair, state in self._pairs.items():
            state.last_book_ns = now
            state.stale = False
            self._arm_stale(pair, now + self._stale_ns)

    def stop(self) -> None:
        self._running = False
        for pair in self._pairs:
            self._clock.cancel_timer(self._timer_name(pair))

    # -- consumer interface of the WS client ---------------------------------------------------------

    def on_message(self, msg: WsMessage) -> None:
        now = self._clock.timestamp_ns()
        self._counts["messages"] += 1
        silence = self._quality.check_arrival(now)
        if silence is not None:
            self._report("", silence, now)
        if isinstance(msg, BookMessage):
            for update in msg.books:
                self._on_book(update, msg.is_snapshot, now)
        elif isinstance(msg, TradeMessage):
            self._on_trades(msg, now)
        elif isinstance(msg, InstrumentMessage):
            self._on_instruments(msg, now)
        elif isinstance(msg, StatusMessage):
            self._on_status(msg)
        elif isinstance(msg, SubscriptionAck) and not msg.success:
            self._counts["subscribe_errors"] += 1

    def on_connection_lost(self, reason: str) -> None:
        """Invalidate every book: nothing after the drop may be applied to state from before it."""
        now = self._clock.timestamp_ns()
        self._counts["disconnects"] += 1
        self._quality.connection_lost()
        for pair, state in self._pairs.items():
            state.resubscribe_pending = False
            if state.book is not None and state.book.valid:
                state.book.invalidate()
                self._report(
                    pair,
                    QualityIssue(
                        IssueKind.GAP, f"connection lost ({reason}); waiting for a fresh snapshot", False
                    ),
                    now,
                )

    def on_malformed(self, detail: str) -> None:
        """A frame the client could not decode. Deeper than 10 levels the checksum cannot vouch
        for the whole book, so every book is refreshed."""
        now = self._clock.timestamp_ns()
        self._counts["malformed"] += 1
        self._report("", QualityIssue(IssueKind.MALFORMED, detail, True), now)
        if self.depth > CHECKSUM_LEVELS:
            for pair, state in self._pairs.items():
                if state.book is not None and state.book.valid:
                    state.book.invalidate()
                    self._request_resubscribe(pair, state)

    # -- books ---------------------------------------------------------------------------------------

    def _on_book(self, update: BookUpdate, is_snapshot: bool, now: int) -> None:
        pair = update.symbol
        state = self._pairs.get(pair)
        if state is None:
            self._counts["ignored"] += 1
            return
        self._counts["book_messages"] += 1
        book = state.book
        if book is None:
            if not state.awaiting_precision:
                logger.warning(
                    "%s: book data before the pair's precisions are known; waiting for the instrument "
                    "channel (or pass instruments= to DataIngestor)",
                    pair,
                )
            state.awaiting_precision = True
            self._counts["awaiting_precision"] += 1
            return
        for issue in self._quality.check_book(update, is_snapshot):
            self._report(pair, issue, now)
            if issue.drop:
                if self.depth > CHECKSUM_LEVELS and book.valid:
                    book.invalidate()
                    self._request_resubscribe(pair, state)
                return
        if is_snapshot:
            state.resubscribe_pending = False
        verdict = book.apply_message(update.bids, update.asks, update.checksum, snapshot=is_snapshot)
        if verdict is Verdict.VERIFIED:
            if is_snapshot:
                state.snapshot_mismatches = 0
            crossed = self._quality.check_crossed(book)
            if crossed is not None:
                self._report(pair, crossed, now)
                return
            self._publish_book(pair, book, update, is_snapshot, now)
            state.last_book_ns = now
            if state.stale:
                state.stale = False
                self._arm_stale(pair, now + self._stale_ns)
        elif verdict is Verdict.MISMATCH:
            self._on_mismatch(pair, state, book, update, is_snapshot, now)
        else:
            self._counts["skipped_while_invalid"] += 1

    def _publish_book(
        self, pair: str, book: OrderBook, update: BookUpdate, is_snapshot: bool, now: int
    ) -> None:
        bids, asks = book.top(self.top_n)
        self._bus.publish(
            OrderBookUpdated(
                ts_event=update.ts_ns if update.ts_ns is not None else now,
                ts_init=now,
                pair=pair,
                bids=bids,
                asks=asks,
                is_snapshot=is_snapshot,
                checksum=update.checksum,
            )
        )
        self._counts["books_published"] += 1

    def _on_mismatch(
        self, pair: str, state: _Pair, book: OrderBook, update: BookUpdate, is_snapshot: bool, now: int
    ) -> None:
        computed = book.checksum()
        state.mismatches += 1
        self._counts["checksum_mismatches"] += 1
        logger.error(
            "%s: book checksum mismatch (exchange %d, ours %d) on %s; book dropped, resubscribing",
            pair,
            update.checksum,
            computed,
            "a snapshot" if is_snapshot else "an update",
        )
        self._bus.publish(
            BookChecksumMismatched(
                ts_event=update.ts_ns if update.ts_ns is not None else now,
                ts_init=now,
                pair=pair,
                expected=update.checksum,
                computed=computed,
            )
        )
        if is_snapshot:
            state.snapshot_mismatches += 1
            if state.snapshot_mismatches >= MAX_SNAPSHOT_MISMATCHES:
                logger.critical(
                    "%s: %d fresh snapshots in a row failed their checksum: the precisions in use "
                    "(price %d, qty %d dp) are probably wrong. Not resubscribing; the pair will go stale. "
                    "Check the instrument channel / AssetPairs for this pair.",
                    pair,
                    state.snapshot_mismatches,
                    book.price_decimals,
                    book.qty_decimals,
                )
                return
        self._request_resubscribe(pair, state)

    def _request_resubscribe(self, pair: str, state: _Pair) -> None:
        if state.resubscribe_pending:
            return
        if self.resubscriber is None:
            logger.warning("%s: no WS client attached to resubscribe; the book stays invalid", pair)
            return
        state.resubscribe_pending = True
        self._counts["resubscribe_requests"] += 1
        self.resubscriber.resubscribe_book(pair)

    # -- trades, instruments, status -------------------------------------------------------------------

    def _on_trades(self, msg: TradeMessage, now: int) -> None:
        for trade in msg.trades:
            if trade.symbol not in self._pairs:
                self._counts["ignored"] += 1
                continue
            issue = self._quality.check_trade(trade)
            if issue is not None:
                self._report(trade.symbol, issue, now)
                if issue.drop:
                    continue
            self._bus.publish(
                MarketTradeReceived(
                    ts_event=trade.ts_ns,
                    ts_init=now,
                    pair=trade.symbol,
                    price=trade.price,
                    qty=trade.qty,
                    side=Side.BUY if trade.side == "buy" else Side.SELL,
                    trade_id=str(trade.trade_id),
                    ord_type=trade.ord_type,
                )
            )
            self._counts["trades"] += 1

    def _on_instruments(self, msg: InstrumentMessage, now: int) -> None:
        for info in msg.pairs:
            state = self._pairs.get(info.symbol)
            if state is not None:
                self._on_instrument(info, state, now)

    def _on_instrument(self, info: PairInfo, state: _Pair, now: int) -> None:
        pair = info.symbol
        self._bus.publish(
            InstrumentUpdated(
                ts_event=now,
                ts_init=now,
                pair=pair,
                price_decimals=info.price_precision,
                lot_decimals=info.qty_precision,
                ordermin=info.qty_min,
                costmin=info.cost_min,
                tick_size=info.price_increment,
            )
        )
        self._counts["instruments"] += 1
        book = state.book
        if book is not None and (book.price_decimals, book.qty_decimals) == (
            info.price_precision,
            info.qty_precision,
        ):
            return
        if book is not None:
            logger.warning(
                "%s: precision changed to price %d / qty %d dp; rebuilding the book from a fresh snapshot",
                pair,
                info.price_precision,
                info.qty_precision,
            )
        had_data = book is not None or state.awaiting_precision
        state.book = OrderBook(pair, self.depth, info.price_precision, info.qty_precision)
        state.awaiting_precision = False
        state.snapshot_mismatches = 0
        if had_data:
            self._request_resubscribe(pair, state)

    def _on_status(self, msg: StatusMessage) -> None:
        self.exchange_status = msg.system
        if msg.system != "online":
            logger.warning("Kraken reports system status %r: market data may pause", msg.system)

    # -- staleness -------------------------------------------------------------------------------------

    @staticmethod
    def _timer_name(pair: str) -> str:
        return f"marketdata.stale.{pair}"

    def _arm_stale(self, pair: str, at_ns: int) -> None:
        if self._running:
            self._clock.set_time_alert(self._timer_name(pair), at_ns, partial(self._check_stale, pair))

    def _check_stale(self, pair: str, event: TimeEvent) -> None:
        state = self._pairs[pair]
        now = event.ts_event
        due = state.last_book_ns + self._stale_ns
        if now < due:
            self._arm_stale(pair, due)
            return
        state.stale = True
        self._counts["stale_events"] += 1
        stale_for = (now - state.last_book_ns) / NS_PER_S
        logger.error("%s: no verified book update for %.1fs: market data is stale", pair, stale_for)
        self._bus.publish(
            MarketDataStale(
                ts_event=now, ts_init=now, pair=pair, last_update_ns=state.last_book_ns, stale_for_s=stale_for
            )
        )

    # -- reporting -------------------------------------------------------------------------------------

    def _report(self, pair: str, issue: QualityIssue, now: int) -> None:
        self._issues[issue.kind] += 1
        log = logger.warning if issue.drop else logger.info
        log(
            "%s: data quality: %s: %s%s",
            pair or "feed",
            issue.kind,
            issue.detail,
            " (dropped)" if issue.drop else "",
        )
        self._bus.publish(
            DataQualityIssueDetected(
                ts_event=now, ts_init=now, pair=pair, kind=issue.kind, detail=issue.detail
            )
        )

    def book(self, pair: str) -> OrderBook | None:
        """The pair's book for inspection; check ``valid`` before trusting it."""
        state = self._pairs.get(pair)
        return None if state is None else state.book

    def stats(self) -> dict[str, int]:
        """Counters for the metrics layer; quality issues as ``quality.<kind>``, mismatches per pair.

        ``disconnects`` counts lost connections (the client reconnects after each unless closed;
        its own ``stats()`` has the reconnect attempts and heartbeat timeouts).
        """
        out = {
            key: self._counts[key]
            for key in (
                "messages",
                "book_messages",
                "books_published",
                "trades",
                "instruments",
                "checksum_mismatches",
                "skipped_while_invalid",
                "resubscribe_requests",
                "disconnects",
                "malformed",
                "stale_events",
                "subscribe_errors",
                "awaiting_precision",
                "ignored",
            )
        }
        out["quality_issues"] = sum(self._issues.values())
        out.update({f"quality.{kind}": n for kind, n in sorted(self._issues.items())})
        out.update({f"checksum_mismatches.{p}": s.mismatches for p, s in self._pairs.items()})
        out["books_valid"] = sum(1 for s in self._pairs.values() if s.book is not None and s.book.valid)
        return out

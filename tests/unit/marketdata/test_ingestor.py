"""DataIngestor on the real recordings: verified books only, mismatch handling, staleness, quality."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import msgspec
import pytest

from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import (
    BookChecksumMismatched,
    DataQualityIssueDetected,
    Event,
    InstrumentUpdated,
    MarketDataStale,
    MarketTradeReceived,
    OrderBookUpdated,
)
from galfriday.core.instruments import Instrument
from galfriday.core.types import Side
from galfriday.kraken.ws_schemas import BookMessage, BookUpdate, decode_message
from galfriday.marketdata.book import OrderBook
from galfriday.marketdata.book_replay import iter_raw_messages, parse_book_messages
from galfriday.marketdata.checksum import checksum_v1, checksum_v2
from galfriday.marketdata.ingestor import DataIngestor

S = 1_000_000_000
BTC = Instrument(symbol="BTC/USD", base="BTC", quote="USD", price_decimals=1, lot_decimals=8)
INSTRUMENT_BTC = (
    b'{"channel":"instrument","type":"snapshot","data":{"assets":[],"pairs":[{"symbol":"BTC/USD",'
    b'"base":"BTC","quote":"USD","status":"online","qty_precision":8,"qty_increment":0.00000001,'
    b'"price_precision":1,"cost_precision":5,"marginable":true,"has_index":true,"cost_min":0.5,'
    b'"tick_size":0.1,"price_increment":0.1,"qty_min":0.0001}]}}'
)


class FakeClient:
    def __init__(self) -> None:
        self.resubscribed: list[str] = []

    def resubscribe_book(self, pair: str) -> None:
        self.resubscribed.append(pair)


class Harness:
    def __init__(self, pairs=("BTC/USD",), **kwargs) -> None:
        self.bus = SyncBus()
        self.events: list[Event] = []
        self.bus.subscribe(Event, self.events.append)
        self.clock = SimClock(1_700_000_000 * S)
        self.client = FakeClient()
        self.ingestor = DataIngestor(self.bus, self.clock, list(pairs), resubscriber=self.client, **kwargs)

    def of(self, cls: type) -> list:
        return [e for e in self.events if isinstance(e, cls)]

    def feed(self, msg) -> None:
        self.ingestor.on_message(msg)


@pytest.fixture(scope="module")
def v2_messages(shared_data: Path) -> list[BookMessage]:
    msgs = [
        decode_message(raw) for raw in iter_raw_messages(shared_data / "python-kraken-sdk/orderbook-v2.json")
    ]
    assert all(isinstance(m, BookMessage) for m in msgs)
    return msgs  # type: ignore[return-value]


def snapshot_of(book: OrderBook, checksum: int) -> BookMessage:
    bids, asks = book.levels()
    return BookMessage(
        True, (BookUpdate(symbol=book.pair, bids=bids, asks=asks, checksum=checksum, ts_ns=None),)
    )


def test_v2_recording_all_510_verify_through_ingestor(v2_messages: list[BookMessage]) -> None:
    h = Harness()
    h.feed(decode_message(INSTRUMENT_BTC))
    (inst,) = h.of(InstrumentUpdated)
    assert (inst.price_decimals, inst.lot_decimals, inst.ordermin, inst.costmin) == (
        1,
        8,
        D("0.0001"),
        D("0.5"),
    )
    for msg in v2_messages:
        h.feed(msg)
    books = h.of(OrderBookUpdated)
    assert len(books) == 510
    assert [b.checksum for b in books] == [m.books[0].checksum for m in v2_messages]
    assert books[0].is_snapshot and books[0].ts_event == h.clock.timestamp_ns()
    assert books[1].ts_event == 1690730998343415000  # 2023-07-30T15:29:58.343415Z
    for b in books:  # what was published reproduces the exchange's checksum on its own
        assert (
            checksum_v2([(x.price, x.qty) for x in b.asks], [(x.price, x.qty) for x in b.bids], 1, 8)
            == b.checksum
        )
    stats = h.ingestor.stats()
    assert stats["books_published"] == 510 and stats["checksum_mismatches"] == 0
    assert stats["quality_issues"] == 0 and h.client.resubscribed == []


def test_v1_recording_all_979_verify_through_ingestor(shared_data: Path) -> None:
    """v1 frames are parsed by the replay module and run through the very same ingestor path."""
    xbt = Instrument(symbol="XBT/USD", base="XBT", quote="USD", price_decimals=5, lot_decimals=8)
    h = Harness(pairs=("XBT/USD",), instruments={"XBT/USD": xbt})
    updates = 0
    for raw in iter_raw_messages(shared_data / "python-kraken-sdk/orderbook-v1.json"):
        for m in parse_book_messages(raw):
            checksum = m.checksum
            if checksum is None:  # v1 snapshots carry none: give the reference value from the strings
                fmt = [(format(p, "f"), format(q, "f")) for p, q in sorted(m.asks)]
                bfmt = [(format(p, "f"), format(q, "f")) for p, q in sorted(m.bids, reverse=True)]
                checksum = checksum_v1(fmt, bfmt)
            else:
                updates += 1
            h.feed(
                BookMessage(
                    m.is_snapshot,
                    (BookUpdate(symbol=m.pair, bids=m.bids, asks=m.asks, checksum=checksum, ts_ns=None),),
                )
            )
    assert updates == 979
    assert len(h.of(OrderBookUpdated)) == 980
    assert h.ingestor.stats()["checksum_mismatches"] == 0


def test_corrupted_update_drops_book_until_fresh_snapshot(v2_messages: list[BookMessage]) -> None:
    h = Harness(instruments={"BTC/USD": BTC})
    truth = OrderBook("BTC/USD", 10, 1, 8)
    k = 100
    for msg in v2_messages[:k]:
        h.feed(msg)
        b = msg.books[0]
        truth.apply_message(b.bids, b.asks, b.checksum, snapshot=msg.is_snapshot)
    published_before = len(h.of(OrderBookUpdated))
    assert published_before == k

    good = v2_messages[k].books[0]
    side = "asks" if good.asks and good.asks[0][1] else "bids"
    levels = list(getattr(good, side))
    price, qty = levels[0]
    assert qty > 0
    levels[0] = (price, qty + D("0.00000001"))
    bad = msgspec.structs.replace(good, **{side: levels})
    h.feed(BookMessage(False, (bad,)))

    (mismatch,) = h.of(BookChecksumMismatched)
    assert mismatch.pair == "BTC/USD" and mismatch.expected == good.checksum
    assert mismatch.computed != good.checksum
    assert not h.ingestor.book("BTC/USD").valid
    assert h.client.resubscribed == ["BTC/USD"]
    assert h.ingestor.stats()["checksum_mismatches"] == 1
    assert h.ingestor.stats()["checksum_mismatches.BTC/USD"] == 1

    # the exchange keeps streaming until the resubscription takes effect: nothing is published
    for msg in v2_messages[k : k + 20]:
        b = msg.books[0]
        truth.apply_message(b.bids, b.asks, b.checksum, snapshot=False)
        h.feed(msg)
    assert len(h.of(OrderBookUpdated)) == published_before
    assert h.client.resubscribed == ["BTC/USD"]  # asked once, not once per message

    h.feed(snapshot_of(truth, v2_messages[k + 19].books[0].checksum))
    after = h.of(OrderBookUpdated)
    assert len(after) == published_before + 1 and after[-1].is_snapshot
    for msg in v2_messages[k + 20 :]:
        h.feed(msg)
    assert len(h.of(OrderBookUpdated)) == published_before + 1 + len(v2_messages) - (k + 20)
    assert h.ingestor.book("BTC/USD").valid and len(h.of(BookChecksumMismatched)) == 1


def test_snapshot_that_keeps_failing_stops_resubscribing(v2_messages: list[BookMessage]) -> None:
    h = Harness(
        instruments={
            "BTC/USD": Instrument(symbol="BTC/USD", base="BTC", quote="USD", price_decimals=2, lot_decimals=8)
        }
    )  # wrong precision
    for _ in range(4):
        h.feed(v2_messages[0])
    assert len(h.of(BookChecksumMismatched)) == 4
    assert h.client.resubscribed == ["BTC/USD", "BTC/USD"]
    assert h.of(OrderBookUpdated) == []


def test_stale_after_60s_without_update(v2_messages: list[BookMessage]) -> None:
    h = Harness(instruments={"BTC/USD": BTC}, stale_after_s=60)
    h.ingestor.start()
    t0 = h.clock.timestamp_ns()
    h.feed(v2_messages[0])
    h.clock.advance_to(t0 + 30 * S)
    h.feed(v2_messages[1])  # resets the countdown
    h.clock.advance_to(t0 + 89 * S)
    assert h.of(MarketDataStale) == []
    h.clock.advance_to(t0 + 91 * S)
    (stale,) = h.of(MarketDataStale)
    assert stale.pair == "BTC/USD" and stale.ts_event == t0 + 90 * S
    assert stale.last_update_ns == t0 + 30 * S and stale.stale_for_s == 60.0
    h.clock.advance_to(t0 + 300 * S)
    assert len(h.of(MarketDataStale)) == 1  # once per episode
    h.feed(v2_messages[2])
    h.clock.advance_to(t0 + 360 * S)
    assert len(h.of(MarketDataStale)) == 2
    h.ingestor.stop()
    assert h.clock.timer_names == []


def test_stale_when_nothing_ever_arrives() -> None:
    h = Harness(pairs=("BTC/USD", "XRP/USD"), stale_after_s=60)
    h.ingestor.start()
    h.clock.advance_to(h.clock.timestamp_ns() + 60 * S)
    assert sorted(e.pair for e in h.of(MarketDataStale)) == ["BTC/USD", "XRP/USD"]


def test_connection_lost_invalidates_books(v2_messages: list[BookMessage]) -> None:
    h = Harness(instruments={"BTC/USD": BTC})
    for msg in v2_messages[:10]:
        h.feed(msg)
    h.ingestor.on_connection_lost("server closed")
    assert not h.ingestor.book("BTC/USD").valid
    (gap,) = h.of(DataQualityIssueDetected)
    assert gap.kind == "gap" and gap.pair == "BTC/USD"
    for msg in v2_messages[10:15]:  # post-drop data never lands on pre-drop state
        h.feed(msg)
    assert len(h.of(OrderBookUpdated)) == 10
    assert h.ingestor.stats()["disconnects"] == 1
    assert h.ingestor.stats()["skipped_while_invalid"] == 5


def test_book_before_precision_waits_then_resubscribes(v2_messages: list[BookMessage]) -> None:
    h = Harness()
    h.feed(v2_messages[0])
    assert h.of(OrderBookUpdated) == [] and h.ingestor.stats()["awaiting_precision"] == 1
    h.feed(decode_message(INSTRUMENT_BTC))
    assert h.client.resubscribed == ["BTC/USD"]
    h.feed(v2_messages[0])
    assert len(h.of(OrderBookUpdated)) == 1


def test_precision_change_rebuilds_book(v2_messages: list[BookMessage]) -> None:
    h = Harness(
        instruments={
            "BTC/USD": Instrument(symbol="BTC/USD", base="BTC", quote="USD", price_decimals=2, lot_decimals=8)
        }
    )
    h.feed(decode_message(INSTRUMENT_BTC))  # precision 1 dp: the old book cannot be trusted
    assert h.client.resubscribed == ["BTC/USD"]
    assert h.ingestor.book("BTC/USD").price_decimals == 1
    h.feed(decode_message(INSTRUMENT_BTC))  # unchanged: nothing to do
    assert h.client.resubscribed == ["BTC/USD"]


def test_bad_value_update_is_dropped_and_book_stays_in_step(v2_messages: list[BookMessage]) -> None:
    h = Harness(instruments={"BTC/USD": BTC})
    for msg in v2_messages[:5]:
        h.feed(msg)
    nan = BookUpdate(symbol="BTC/USD", bids=[(D("NaN"), D("1"))], asks=[], checksum=1, ts_ns=None)
    h.feed(BookMessage(False, (nan,)))
    (issue,) = h.of(DataQualityIssueDetected)
    assert issue.kind == "bad_value"
    for msg in v2_messages[5:]:
        h.feed(msg)
    assert len(h.of(OrderBookUpdated)) == 510 and h.ingestor.stats()["checksum_mismatches"] == 0


def test_out_of_order_update_is_dropped(v2_messages: list[BookMessage]) -> None:
    h = Harness(instruments={"BTC/USD": BTC})
    for msg in v2_messages[:5]:
        h.feed(msg)
    old = msgspec.structs.replace(v2_messages[5].books[0], ts_ns=v2_messages[2].books[0].ts_ns)
    h.feed(BookMessage(False, (old,)))
    assert [e.kind for e in h.of(DataQualityIssueDetected)] == ["out_of_order"]
    assert len(h.of(OrderBookUpdated)) == 5


def test_crossed_verified_book_is_not_published() -> None:
    h = Harness(instruments={"BTC/USD": BTC})
    bids, asks = [(D("100.0"), D("1"))], [(D("99.9"), D("1"))]
    h.feed(
        BookMessage(
            True,
            (
                BookUpdate(
                    symbol="BTC/USD", bids=bids, asks=asks, checksum=checksum_v2(asks, bids, 1, 8), ts_ns=None
                ),
            ),
        )
    )
    assert h.of(OrderBookUpdated) == []
    assert [e.kind for e in h.of(DataQualityIssueDetected)] == ["crossed_book"]


def test_trades_published_duplicates_dropped(shared_data: Path) -> None:
    h = Harness()
    raw = (shared_data / "nautilus_trader/kraken/ws_trade_update.json").read_bytes()
    h.feed(decode_message(raw))
    h.feed(decode_message(raw))
    trades = h.of(MarketTradeReceived)
    assert len(trades) == 2
    assert trades[0].price == D("105944.20") and trades[0].qty == D("0.00027625")
    assert trades[0].side is Side.BUY and trades[1].side is Side.SELL
    assert trades[0].trade_id == "10218208" and trades[0].ord_type == "limit"
    assert trades[0].ts_event == 1696613755440295000  # 2023-10-06T17:35:55.440295Z
    assert [e.kind for e in h.of(DataQualityIssueDetected)] == ["duplicate", "duplicate"]


def test_malformed_counted_and_deep_books_refreshed(v2_messages: list[BookMessage]) -> None:
    h = Harness(instruments={"BTC/USD": BTC})
    h.ingestor.on_malformed("not json")
    assert [e.kind for e in h.of(DataQualityIssueDetected)] == ["malformed"]
    assert h.ingestor.stats()["malformed"] == 1 and h.client.resubscribed == []

    deep = Harness(instruments={"BTC/USD": BTC}, depth=25)
    deep.feed(v2_messages[0])
    deep.ingestor.on_malformed("bad frame")  # past level 10 the checksum cannot vouch for the book
    assert not deep.ingestor.book("BTC/USD").valid
    assert deep.client.resubscribed == ["BTC/USD"]


def test_other_pairs_and_messages_are_ignored(v2_messages: list[BookMessage]) -> None:
    h = Harness(pairs=("XRP/USD",))
    h.feed(v2_messages[0])
    assert h.of(OrderBookUpdated) == [] and h.ingestor.stats()["ignored"] == 1
    h.feed(decode_message(b'{"channel":"heartbeat"}'))
    h.feed(decode_message(b'{"channel":"status","type":"update","data":[{"system":"maintenance"}]}'))
    assert h.ingestor.exchange_status == "maintenance"
    assert h.ingestor.stats()["messages"] == 3


def test_constructor_validates() -> None:
    with pytest.raises(ValueError, match="at least one pair"):
        DataIngestor(SyncBus(), SimClock(), [])

"""Replay a file of raw Kraken WS book messages and check every checksum.

It proves the book code against real traffic with the very code the live ingestor uses: v2
frames go through ``kraken.ws_schemas.decode_message`` and every message through
``OrderBook.apply_message``. v1 frames (legacy arrays with string prices) are parsed here and fed
to the same ``OrderBook``; their strings carry full precision, so formatting them at their own
number of decimals reproduces them verbatim, which is what v1's checksum wants.

File formats (detected automatically, v1 and v2 per message):
- one JSON message per line;
- lines ``<unix ts>: <json>`` as capture tools write them (other lines, such as the client's own
  ``... <- ts: {...}`` requests, are skipped);
- python-kraken-sdk fixtures: one JSON object ``{"init": ..., "updates": [...]}``.

Depth comes from the v2 subscribe ack or the v1 channel name (``book-10``), default 10.
Precisions, per pair, from (first that applies): the caller's overrides, an ``instrument`` message
in the file, or the most decimals seen in the file's own numbers – recordings whose JSON numbers
lost trailing zeros still show the full precision somewhere, e.g. BTC/USD 1 dp / 8 dp.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from galfriday.kraken.ws_schemas import (
    BookMessage,
    InstrumentMessage,
    MalformedMessage,
    SubscriptionAck,
    decode_message,
)
from galfriday.marketdata.book import Level, OrderBook, Verdict

logger = logging.getLogger(__name__)

DEFAULT_DEPTH = 10

_PREFIXED = re.compile(rb"^\d+(?:\.\d+)?: ")


class BookVerification(NamedTuple):
    """Per pair: checksummed messages that matched, and those that did not (see ``PairReport``)."""

    matched: int
    mismatched: int


@dataclass
class PairReport:
    """Everything the replay of one pair found and used."""

    pair: str
    depth: int = DEFAULT_DEPTH
    price_decimals: int = 0
    qty_decimals: int = 0
    precision_source: str = "inferred"  # override | instrument | inferred
    matched: int = 0
    mismatched: int = 0  # the checksum differed
    unverified: int = 0  # arrived after a mismatch, before a fresh snapshot (the live path drops them)

    def verification(self) -> BookVerification:
        return BookVerification(self.matched, self.mismatched + self.unverified)


class RecordedBook(NamedTuple):
    """One recorded book message, whatever protocol version it came in (v1 snapshots: no checksum)."""

    pair: str
    is_snapshot: bool
    bids: list[Level]
    asks: list[Level]
    checksum: int | None


@dataclass
class _Scan:
    """What the first pass learns: depth, instrument precisions, most decimals seen."""

    depth: dict[str, int] = field(default_factory=dict)
    instrument: dict[str, tuple[int, int]] = field(default_factory=dict)
    seen: dict[str, list[int]] = field(default_factory=dict)  # pair -> [price dp, qty dp]

    def note_levels(self, book: RecordedBook) -> None:
        seen = self.seen.setdefault(book.pair, [0, 0])
        for price, qty in (*book.bids, *book.asks):
            seen[0] = max(seen[0], _decimals(price))
            seen[1] = max(seen[1], _decimals(qty))


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


# ------------------------------------------------------------------------------------- reading


class _Fixture(msgspec.Struct):
    init: msgspec.Raw
    updates: list[msgspec.Raw]


_fixture = msgspec.json.Decoder(_Fixture)


def iter_raw_messages(path: Path) -> Iterator[bytes]:
    """Every message of the file as raw JSON bytes, in order."""
    with path.open("rb") as fh:
        first = fh.readline().strip()
        fh.seek(0)
        if first.startswith(b"{") and not _is_json(first):  # one JSON document over many lines
            data = fh.read()
            try:
                yield from _fixture_messages(_fixture.decode(data))
            except msgspec.DecodeError:
                yield data  # a single pretty-printed message
            return
        for line in fh:
            raw = _message_of_line(line.strip())
            if raw is None:
                continue
            if b'"updates"' in raw and b'"init"' in raw:  # a fixture written on one line
                try:
                    yield from _fixture_messages(_fixture.decode(raw))
                    continue
                except msgspec.DecodeError:
                    pass
            yield raw


def _is_json(raw: bytes) -> bool:
    try:
        msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return False
    return True


def _message_of_line(line: bytes) -> bytes | None:
    """The JSON message on a line, or None for blank lines, connection lines and sent requests."""
    if line[:1] in (b"{", b"["):
        return line
    prefixed = _PREFIXED.match(line)
    return line[prefixed.end() :] if prefixed else None


def _fixture_messages(doc: _Fixture) -> Iterator[bytes]:
    init = bytes(doc.init)
    # v2 fixtures hold one message in "init"; v1 fixtures a list of messages. A lone v1 message is
    # also a list, but its first element is the channel id (a number).
    items = msgspec.json.decode(init, type=list[msgspec.Raw]) if init.lstrip().startswith(b"[") else None
    if items and bytes(items[0]).lstrip()[:1] in (b"{", b"["):
        yield from (bytes(m) for m in items)
    else:
        yield init
    yield from (bytes(m) for m in doc.updates)


# ------------------------------------------------------------------------------------- parsing


def parse_book_messages(raw: bytes) -> list[RecordedBook]:
    """The book messages in one raw v1 or v2 frame (empty for any other frame)."""
    return _parse(raw, None)


def _parse(raw: bytes, scan: _Scan | None) -> list[RecordedBook]:
    """Book messages in ``raw`` (v1 or v2); other messages only feed the scan."""
    head = raw.lstrip()[:1]
    if head == b"[":
        return _parse_v1(raw, scan)
    try:
        msg = decode_message(raw)
    except MalformedMessage as exc:
        is_v1_event = _scan_v1_event(raw, scan)
        if scan is not None and not is_v1_event:
            logger.warning("skipping a message that is neither Kraken WS v1 nor v2: %s", exc)
        return []
    if isinstance(msg, BookMessage):
        return [RecordedBook(b.symbol, msg.is_snapshot, b.bids, b.asks, b.checksum) for b in msg.books]
    if scan is not None:
        if isinstance(msg, InstrumentMessage):
            for info in msg.pairs:
                scan.instrument[info.symbol] = (info.price_precision, info.qty_precision)
        elif isinstance(msg, SubscriptionAck) and msg.success and msg.channel == "book" and msg.symbol:
            scan.depth[msg.symbol] = msg.depth or DEFAULT_DEPTH
    return []


def _depth_from_channel_name(name: Any) -> int | None:
    if isinstance(name, str) and name.startswith("book-") and name[5:].isdigit():
        return int(name[5:])
    return None


def _scan_v1_event(raw: bytes, scan: _Scan | None) -> bool:
    """Whether ``raw`` is a v1 event (systemStatus, subscriptionStatus, heartbeat); notes its depth."""
    try:
        event = json.loads(raw)
    except ValueError:
        return False
    if not isinstance(event, dict) or "event" not in event:
        return False
    depth = _depth_from_channel_name(event.get("channelName"))
    if scan is not None and depth is not None and isinstance(event.get("pair"), str):
        scan.depth[event["pair"]] = depth
    return True


def _v1_levels(rows: Any) -> list[Level]:
    return [(Decimal(row[0]), Decimal(row[1])) for row in rows]


def _parse_v1(raw: bytes, scan: _Scan | None) -> list[RecordedBook]:
    """``[channelID, {as,bs} | {a}, {b, c}..., "book-N", pair]`` → one book message."""
    try:
        return _parse_v1_book(json.loads(raw), scan)
    except (ValueError, TypeError, LookupError, ArithmeticError) as exc:
        if scan is not None:
            logger.warning("skipping a malformed v1 message (%r): %.120r", exc, raw)
        return []


def _parse_v1_book(msg: Any, scan: _Scan | None) -> list[RecordedBook]:
    if not isinstance(msg, list) or len(msg) < 4:
        return []
    depth = _depth_from_channel_name(msg[-2])
    pair = msg[-1]
    if depth is None or not isinstance(pair, str):
        return []  # another v1 channel (trade, ticker, ...)
    if scan is not None:
        scan.depth.setdefault(pair, depth)
    parts = [p for p in msg[1:-2] if isinstance(p, dict)]
    if any("as" in p or "bs" in p for p in parts):
        asks = [lv for p in parts for lv in _v1_levels(p.get("as", ()))]
        bids = [lv for p in parts for lv in _v1_levels(p.get("bs", ()))]
        return [RecordedBook(pair, True, bids, asks, None)]
    asks = [lv for p in parts for lv in _v1_levels(p.get("a", ()))]
    bids = [lv for p in parts for lv in _v1_levels(p.get("b", ()))]
    checksums = [p["c"] for p in parts if "c" in p]
    return [RecordedBook(pair, False, bids, asks, int(checksums[-1]) if checksums else None)]


# ------------------------------------------------------------------------------------- replay


def replay_book_file(
    path: Path | str, *, price_decimals: int | None = None, qty_decimals: int | None = None
) -> dict[str, PairReport]:
    """Replay every book message in ``path`` through ``OrderBook``; a report per pair."""
    path = Path(path)
    scan = _Scan()
    for raw in iter_raw_messages(path):
        for book in _parse(raw, scan):
            scan.note_levels(book)
    reports: dict[str, PairReport] = {}
    books: dict[str, OrderBook] = {}
    for pair, seen in scan.seen.items():
        report = PairReport(pair, depth=scan.depth.get(pair, DEFAULT_DEPTH))
        if pair in scan.instrument:
            report.price_decimals, report.qty_decimals = scan.instrument[pair]
            report.precision_source = "instrument"
        else:
            report.price_decimals, report.qty_decimals = seen
        if price_decimals is not None or qty_decimals is not None:
            report.precision_source = "override"
            report.price_decimals = report.price_decimals if price_decimals is None else price_decimals
            report.qty_decimals = report.qty_decimals if qty_decimals is None else qty_decimals
        reports[pair] = report
        books[pair] = OrderBook(pair, report.depth, report.price_decimals, report.qty_decimals)
    for raw in iter_raw_messages(path):
        for msg in _parse(raw, None):
            verdict = books[msg.pair].apply_message(
                msg.bids, msg.asks, msg.checksum, snapshot=msg.is_snapshot
            )
            report = reports[msg.pair]
            if verdict is Verdict.VERIFIED:
                report.matched += 1
            elif verdict is Verdict.MISMATCH:
                report.mismatched += 1
            elif verdict is Verdict.SKIPPED and msg.checksum is not None:
                report.unverified += 1
    return reports


def verify_book_file(
    path: Path | str, *, price_decimals: int | None = None, qty_decimals: int | None = None
) -> dict[str, BookVerification]:
    """Per pair ``(matched, mismatched)`` over every checksummed book message in ``path``.

    ``mismatched`` counts every checksummed message that could not be confirmed: the ones whose
    checksum differed and the ones that followed before a fresh snapshot (the live ingestor drops
    those too, as its book is invalid by then).
    """
    reports = replay_book_file(path, price_decimals=price_decimals, qty_decimals=qty_decimals)
    return {pair: report.verification() for pair, report in reports.items()}

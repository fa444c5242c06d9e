"""WS v2 decoding: exact decimals, every public message type, clear errors for anything malformed."""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from galfriday.kraken.ws_schemas import (
    BookMessage,
    Heartbeat,
    InstrumentMessage,
    MalformedMessage,
    OtherMessage,
    Pong,
    StatusMessage,
    SubscriptionAck,
    TradeMessage,
    decode_message,
    rfc3339_to_ns,
)

NT = "nautilus_trader/kraken"


def test_book_update_keeps_wire_digits() -> None:
    msg = decode_message(
        b'{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":45283.5,'
        b'"qty":0.10000000}],"asks":[],"checksum":3310070434,"timestamp":"2023-07-30T15:29:58.343415Z"}]}'
    )
    assert isinstance(msg, BookMessage) and not msg.is_snapshot
    (book,) = msg.books
    assert book.bids == [(D("45283.5"), D("0.10000000"))]
    assert str(book.bids[0][1]) == "0.10000000"  # not a float, not normalised
    assert book.asks == [] and book.checksum == 3310070434
    assert book.ts_ns == 1690730998343415000


def test_book_snapshot_fixture(shared_data: Path) -> None:
    msg = decode_message((shared_data / NT / "ws_book_snapshot.json").read_bytes())
    assert isinstance(msg, BookMessage) and msg.is_snapshot
    assert msg.books[0].asks[0] == (D("105944.30"), D("0.136"))


def test_trade(shared_data: Path) -> None:
    msg = decode_message((shared_data / NT / "ws_trade_update.json").read_bytes())
    assert isinstance(msg, TradeMessage)
    first, second = msg.trades
    assert (first.side, first.price, first.qty, first.trade_id, first.ord_type) == (
        "buy",
        D("105944.20"),
        D("0.00027625"),
        10218208,
        "limit",
    )
    assert second.side == "sell" and second.ts_ns == 1696613756123456000


def test_instrument_documented_shape() -> None:
    msg = decode_message(
        b'{"channel":"instrument","type":"snapshot","data":{"assets":[{"id":"USD","status":"enabled",'
        b'"precision":4}],"pairs":[{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online",'
        b'"qty_precision":8,"qty_increment":1e-08,"price_precision":1,"cost_precision":5,"marginable":true,'
        b'"has_index":true,"cost_min":"0.5","margin_initial":0.2,"position_limit_long":250,'
        b'"tick_size":0.1,"price_increment":0.1,"qty_min":0.0001}]}}'
    )
    assert isinstance(msg, InstrumentMessage) and msg.is_snapshot
    (pair,) = msg.pairs
    assert (pair.symbol, pair.price_precision, pair.qty_precision) == ("BTC/USD", 1, 8)
    assert pair.qty_min == D("0.0001") and pair.cost_min == D("0.5") and pair.price_increment == D("0.1")
    assert pair.qty_increment == D("1e-08")


def test_control_messages(shared_data: Path) -> None:
    assert isinstance(decode_message(b'{"channel":"heartbeat"}'), Heartbeat)
    status = decode_message(
        b'{"channel":"status","type":"update","data":[{"version":"2.0.0","system":"online",'
        b'"api_version":"v2","connection_id":1}]}'
    )
    assert status == StatusMessage(system="online", api_version="v2", connection_id=1, version="2.0.0")
    pong = decode_message((shared_data / NT / "ws_pong.json").read_bytes())
    assert isinstance(pong, Pong) and pong.req_id == 42
    ack = decode_message((shared_data / NT / "ws_subscribe_response.json").read_bytes())
    assert ack == SubscriptionAck(
        method="subscribe", success=True, channel="ticker", symbol="BTC/USD", req_id=1
    )
    book_ack = decode_message(
        b'{"method":"subscribe","result":{"channel":"book","symbol":"XRP/USD","depth":10,"snapshot":true},'
        b'"success":true,"time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z","req_id":7}'
    )
    assert isinstance(book_ack, SubscriptionAck) and book_ack.depth == 10
    error = decode_message(
        b'{"error":"Currency pair not supported XYZ/USD","method":"subscribe","req_id":3,"success":false,'
        b'"symbol":"XYZ/USD","time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z"}'
    )
    assert error == SubscriptionAck(
        method="subscribe",
        success=False,
        symbol="XYZ/USD",
        error="Currency pair not supported XYZ/USD",
        req_id=3,
    )
    unsub = decode_message(
        b'{"method":"unsubscribe","success":true,"result":{"channel":"book","symbol":"A/B"}}'
    )
    assert isinstance(unsub, SubscriptionAck) and unsub.method == "unsubscribe"


def test_unmodelled_but_valid_messages(shared_data: Path) -> None:
    assert decode_message((shared_data / NT / "ws_ticker_snapshot.json").read_bytes()) == OtherMessage(
        "channel:ticker"
    )
    assert decode_message(b'{"method":"edit_order","success":true}') == OtherMessage("method:edit_order")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "malformed"),
        (b"", "truncated"),
        (b"[336, {}]", "Expected `object`"),
        (b'{"foo":1}', "neither 'channel' nor 'method'"),
        (b'{"channel":"book","type":"update"}', "without 'data'"),
        (b'{"channel":"book","type":"delta","data":[]}', "expected 'snapshot' or 'update'"),
        (b'{"channel":"book","type":"update","data":[{"symbol":"X","bids":"oops","checksum":1}]}', "bids"),
        (
            b'{"channel":"book","type":"update","data":[{"symbol":"X","bids":[{"price":NaN,"qty":1}],"checksum":1}]}',
            "malformed",
        ),
        (
            b'{"channel":"book","type":"update","data":[{"symbol":"X","bids":[{"price":"abc","qty":1}],"checksum":1}]}',
            "decimal",
        ),
        (b'{"channel":"book","type":"update","data":[{"symbol":"X","checksum":4294967296}]}', "checksum"),
        (
            b'{"channel":"book","type":"update","data":[{"symbol":"X","checksum":1,"timestamp":"yesterday"}]}',
            "RFC3339",
        ),
        (
            b'{"channel":"trade","type":"update","data":[{"symbol":"X","side":"hold","price":1,"qty":1,'
            b'"trade_id":1,"timestamp":"2023-01-01T00:00:00Z"}]}',
            "side",
        ),
        (
            b'{"channel":"instrument","type":"snapshot","data":{"pairs":[{"symbol":"X","price_precision":-1,'
            b'"qty_precision":8}]}}',
            "price_precision",
        ),
        (b'{"channel":"status","type":"update","data":[]}', "empty"),
        (b'{"method":"subscribe","result":{}}', "without 'success'"),
    ],
)
def test_malformed_inputs_raise_clear_error(raw: bytes, reason: str) -> None:
    with pytest.raises(MalformedMessage, match=f"(?i){reason}"):
        decode_message(raw)


def test_string_nan_decodes_so_quality_checks_can_see_it() -> None:
    msg = decode_message(
        b'{"channel":"book","type":"update","data":[{"symbol":"X","bids":[{"price":"NaN","qty":1}],"checksum":1}]}'
    )
    assert isinstance(msg, BookMessage) and msg.books[0].bids[0][0].is_nan()


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("1970-01-01T00:00:00Z", 0),
        ("2023-07-30T15:29:58.343415Z", 1690730998343415000),
        ("2023-07-30T15:29:58.3Z", 1690730998300000000),
        ("2023-07-30T15:29:58.123456789Z", 1690730998123456789),
    ],
)
def test_rfc3339_exact_ns(text: str, ns: int) -> None:
    assert rfc3339_to_ns(text) == ns


@pytest.mark.parametrize(
    "text",
    [
        "2023-07-30T15:29:58",
        "2023-07-30 15:29:58Z",
        "2023-07-30T15:29:58.Z",
        "2023-07-30T15:29:58.1234567890Z",
        "2023-13-30T15:29:58Z",
        "2023-07-30T15:29:58.x1Z",
    ],
)
def test_rfc3339_rejects(text: str) -> None:
    with pytest.raises(MalformedMessage):
        rfc3339_to_ns(text)


@given(st.binary(max_size=300))
def test_fuzz_bytes_never_crash(raw: bytes) -> None:
    with contextlib.suppress(MalformedMessage):
        decode_message(raw)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(
    st.sampled_from(["book", "trade", "instrument", "status", "heartbeat", "ticker"]),
    st.sampled_from(["snapshot", "update", None]),
    json_values,
)
def test_fuzz_channel_payloads_never_crash(channel: str, kind: str | None, data: object) -> None:
    raw = json.dumps({"channel": channel, "type": kind, "data": data})
    with contextlib.suppress(MalformedMessage):
        decode_message(raw)

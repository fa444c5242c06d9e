"""Typed decoding of Kraken WebSocket v2 public messages, with exact decimals.

Kraken writes prices and sizes as JSON numbers at full precision (``0.00100000``); msgspec decodes
them straight into ``Decimal`` from the digits on the wire, so nothing passes through a binary
float and the book checksum can be reproduced. A frame is decoded in two steps: an envelope whose
``data``/``result`` are only skipped over (kept as raw bytes), then that payload by channel.

``decode_message`` returns one of the message classes below or raises ``MalformedMessage`` – for
invalid JSON, a wrong type, a missing field, or a checksum outside 0..2^32-1 – so a caller can
count and drop a bad frame instead of crashing. Values that are well-typed but implausible (a
zero or NaN price) are the data-quality checks' business, not the decoder's.
"""

from __future__ import annotations

import calendar
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from galfriday.core.errors import GalFridayError

UInt32 = Annotated[int, msgspec.Meta(ge=0, le=0xFFFFFFFF)]


class MalformedMessage(GalFridayError, ValueError):
    """A frame that is not a valid Kraken WS v2 message; count it, log it and drop it."""


# ------------------------------------------------------------------------------- timestamps

_NS_PER_S = 1_000_000_000
_last_second: list[tuple[str, int]] = [("", 0)]  # one-entry cache: consecutive messages share a second


def rfc3339_to_ns(text: str) -> int:
    """Kraken's RFC3339 UTC timestamp (``2023-07-30T15:29:58.343415Z``) as int ns since the epoch.

    Exact to the nanosecond (no float); the whole-second part is parsed once per second.
    """
    head, tail = text[:19], text[19:]
    if tail == "Z":
        frac = ""
    elif tail[:1] == "." and tail[-1:] == "Z" and 2 < len(tail) <= 11:
        frac = tail[1:-1]
        if not (frac.isascii() and frac.isdigit()):
            raise MalformedMessage(f"timestamp {text!r}: fraction of a second must be digits")
    else:
        raise MalformedMessage(
            f"timestamp {text!r} is not an RFC3339 UTC time like 2023-07-30T15:29:58.343415Z"
        )
    cached_head, seconds = _last_second[0]
    if head != cached_head:
        if head[4:5] != "-" or head[10:11] != "T":
            raise MalformedMessage(f"timestamp {text!r} is not RFC3339 (YYYY-MM-DDTHH:MM:SS)")
        try:
            parsed = datetime.fromisoformat(head)
        except ValueError:
            raise MalformedMessage(f"timestamp {text!r} is not a valid date and time") from None
        seconds = calendar.timegm(parsed.timetuple())
        _last_second[0] = (head, seconds)
    return seconds * _NS_PER_S + (int(frac.ljust(9, "0")) if frac else 0)


# ------------------------------------------------------------------------ decoded messages


class BookUpdate(msgspec.Struct, frozen=True, kw_only=True):
    """One pair's book snapshot or update: levels in message order as (price, qty)."""

    symbol: str
    bids: list[tuple[Decimal, Decimal]]
    asks: list[tuple[Decimal, Decimal]]
    checksum: int
    ts_ns: int | None  # exchange time; snapshots may have none


class BookMessage(msgspec.Struct, frozen=True):
    is_snapshot: bool
    books: tuple[BookUpdate, ...]


class Trade(msgspec.Struct, frozen=True, kw_only=True):
    symbol: str
    side: Literal["buy", "sell"]  # the taker's side
    price: Decimal
    qty: Decimal
    ord_type: str
    trade_id: int
    ts_ns: int


class TradeMessage(msgspec.Struct, frozen=True):
    is_snapshot: bool
    trades: tuple[Trade, ...]


Precision = Annotated[int, msgspec.Meta(ge=0, le=18)]


class PairInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A tradeable pair from the ``instrument`` channel (fields per Kraken's documented schema)."""

    symbol: str
    base: str = ""
    quote: str = ""
    status: str = ""
    price_precision: Precision
    qty_precision: Precision
    price_increment: Decimal | None = None
    qty_increment: Decimal | None = None
    qty_min: Decimal = Decimal(0)
    cost_min: Decimal = Decimal(0)
    cost_precision: Precision | None = None
    marginable: bool = False
    has_index: bool = False


class InstrumentMessage(msgspec.Struct, frozen=True):
    is_snapshot: bool
    pairs: tuple[PairInfo, ...]


class Heartbeat(msgspec.Struct, frozen=True):
    """Sent about once a second when nothing else is; proves the connection is alive."""


class StatusMessage(msgspec.Struct, frozen=True, kw_only=True):
    """First message after connect, and on any change: ``system`` is online, maintenance, ..."""

    system: str
    api_version: str = ""
    connection_id: int | None = None
    version: str = ""


class SubscriptionAck(msgspec.Struct, frozen=True, kw_only=True):
    """Answer to subscribe/unsubscribe; one per symbol. ``error`` says why when ``success`` is False."""

    method: Literal["subscribe", "unsubscribe"]
    success: bool
    channel: str = ""
    symbol: str | None = None
    depth: int | None = None
    error: str | None = None
    req_id: int | None = None


class Pong(msgspec.Struct, frozen=True, kw_only=True):
    req_id: int | None = None
    time_in: str | None = None
    time_out: str | None = None


class OtherMessage(msgspec.Struct, frozen=True):
    """A well-formed message of a channel or method this module does not model (e.g. ``ticker``)."""

    kind: str


WsMessage = (
    BookMessage
    | TradeMessage
    | InstrumentMessage
    | Heartbeat
    | StatusMessage
    | SubscriptionAck
    | Pong
    | OtherMessage
)


# ----------------------------------------------------------------------------- wire shapes


class _Envelope(msgspec.Struct):
    channel: str | None = None
    type: str | None = None
    data: msgspec.Raw = msgspec.Raw()  # empty when absent
    method: str | None = None
    success: bool | None = None
    result: msgspec.Raw = msgspec.Raw()
    error: str | None = None
    req_id: int | None = None
    symbol: str | None = None
    time_in: str | None = None
    time_out: str | None = None


class _Level(msgspec.Struct):
    price: Decimal
    qty: Decimal


class _Book(msgspec.Struct):
    symbol: str
    checksum: UInt32
    bids: list[_Level] = []
    asks: list[_Level] = []
    timestamp: str | None = None


class _Trade(msgspec.Struct):
    symbol: str
    side: Literal["buy", "sell"]
    price: Decimal
    qty: Decimal
    trade_id: int
    timestamp: str
    ord_type: str = ""


class _Instruments(msgspec.Struct):
    pairs: list[PairInfo] = []


class _AckResult(msgspec.Struct):
    channel: str = ""
    symbol: str | None = None
    depth: int | None = None


_envelope = msgspec.json.Decoder(_Envelope)
_books = msgspec.json.Decoder(list[_Book])
_trades = msgspec.json.Decoder(list[_Trade])
_instruments = msgspec.json.Decoder(_Instruments)
_statuses = msgspec.json.Decoder(list[StatusMessage])
_ack_result = msgspec.json.Decoder(_AckResult)
_HEARTBEAT = Heartbeat()


def decode_message(raw: bytes | str) -> WsMessage:
    """Decode one WS v2 frame; raises ``MalformedMessage`` with the reason when it is not valid."""
    try:
        env = _envelope.decode(raw)
    except msgspec.DecodeError as exc:  # ValidationError is a DecodeError
        raise MalformedMessage(f"not a Kraken WS v2 message: {exc}") from None
    try:
        if env.channel is not None:
            return _decode_channel(env.channel, env)
        if env.method is not None:
            return _decode_method(env.method, env)
    except msgspec.DecodeError as exc:
        where = "data" if env.channel is not None else "result"
        raise MalformedMessage(f"bad {env.channel or env.method} message: {exc} (in '{where}')") from None
    raise MalformedMessage("message has neither 'channel' nor 'method'")


def _payload(env: _Envelope) -> msgspec.Raw:
    if not env.data:
        raise MalformedMessage(f"{env.channel} message without 'data'")
    return env.data


def _snapshot_flag(env: _Envelope) -> bool:
    if env.type == "snapshot":
        return True
    if env.type == "update":
        return False
    raise MalformedMessage(f"{env.channel} message type {env.type!r}: expected 'snapshot' or 'update'")


def _decode_channel(channel: str, env: _Envelope) -> WsMessage:
    if channel == "book":
        is_snapshot = _snapshot_flag(env)
        books = tuple(
            BookUpdate(
                symbol=b.symbol,
                bids=[(lv.price, lv.qty) for lv in b.bids],
                asks=[(lv.price, lv.qty) for lv in b.asks],
                checksum=b.checksum,
                ts_ns=None if b.timestamp is None else rfc3339_to_ns(b.timestamp),
            )
            for b in _books.decode(_payload(env))
        )
        return BookMessage(is_snapshot, books)
    if channel == "heartbeat":
        return _HEARTBEAT
    if channel == "trade":
        is_snapshot = _snapshot_flag(env)
        trades = tuple(
            Trade(
                symbol=t.symbol,
                side=t.side,
                price=t.price,
                qty=t.qty,
                ord_type=t.ord_type,
                trade_id=t.trade_id,
                ts_ns=rfc3339_to_ns(t.timestamp),
            )
            for t in _trades.decode(_payload(env))
        )
        return TradeMessage(is_snapshot, trades)
    if channel == "instrument":
        is_snapshot = _snapshot_flag(env)
        return InstrumentMessage(is_snapshot, tuple(_instruments.decode(_payload(env)).pairs))
    if channel == "status":
        statuses = _statuses.decode(_payload(env))
        if not statuses:
            raise MalformedMessage("status message with empty 'data'")
        return statuses[-1]
    return OtherMessage(f"channel:{channel}")


def _decode_method(method: str, env: _Envelope) -> WsMessage:
    if method == "pong":
        return Pong(req_id=env.req_id, time_in=env.time_in, time_out=env.time_out)
    if method in ("subscribe", "unsubscribe"):
        if env.success is None:
            raise MalformedMessage(f"{method} response without 'success'")
        result = _ack_result.decode(env.result) if env.result else _AckResult()
        return SubscriptionAck(
            method=method,  # type: ignore[arg-type]  # narrowed by the membership test above
            success=env.success,
            channel=result.channel,
            symbol=result.symbol if result.symbol is not None else env.symbol,
            depth=result.depth,
            error=env.error,
            req_id=env.req_id,
        )
    return OtherMessage(f"method:{method}")

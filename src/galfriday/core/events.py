"""The event catalogue: immutable facts (past tense) and commands (imperative).

Every message on the bus is a frozen ``msgspec.Struct`` carrying
- ``ts_event``: when the thing happened (exchange time for market data), int ns UTC;
- ``ts_init``: when this process created the object, int ns UTC;
- ``event_id``: unique id of this message;
- ``correlation_id``: the id that links prediction → signal → order → fills → closed trade.

Money is ``Decimal``; floats appear only in features and model outputs. Structs are tagged with
their class name so any event round-trips through JSON (``encode_event``/``decode_event``) for the
database, Redis fan-out and the dashboard.
"""

from __future__ import annotations

import itertools
import os
import time
from decimal import Decimal
from typing import Any, Union

import msgspec

from galfriday.core.types import (
    AlertSeverity,
    ExitReason,
    HaltBehaviour,
    HealthStatus,
    LiquiditySide,
    OrderType,
    Side,
    SystemState,
    TimeInForce,
)


def _random_prefix() -> str:
    b = bytearray(os.urandom(10))
    b[6] = (b[6] & 0x0F) | 0x40  # version 4
    b[8] = (b[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-"


_ID_PREFIX = _random_prefix()
_id_counter = itertools.count(int.from_bytes(os.urandom(4), "big"))


def _reseed_ids_after_fork() -> None:
    # A forked worker must not hand out the parent's ids.
    global _ID_PREFIX, _id_counter
    _ID_PREFIX = _random_prefix()
    _id_counter = itertools.count(int.from_bytes(os.urandom(4), "big"))


os.register_at_fork(after_in_child=_reseed_ids_after_fork)


def new_id() -> str:
    """A unique id in canonical UUID-4 text form.

    74 random bits fixed per process plus a 48-bit counter: unique across processes and restarts
    without paying ~2 µs for ``uuid.uuid4()`` on every event.
    """
    return f"{_ID_PREFIX}{next(_id_counter) & 0xFFFFFFFFFFFF:012x}"


def wall_ns() -> int:
    return time.time_ns()


class Event(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    """Base of every bus message."""

    ts_event: int
    ts_init: int
    event_id: str = msgspec.field(default_factory=new_id)
    correlation_id: str = ""


class Command(Event, frozen=True, kw_only=True):
    """A request for something to happen; the handler answers with events."""


# ------------------------------------------------------------------------------------ time


class TimeEvent(Event, frozen=True, kw_only=True):
    """A clock timer or time alert fired."""

    name: str


# ----------------------------------------------------------------------------- market data


class BookLevel(msgspec.Struct, frozen=True, array_like=True):
    price: Decimal
    qty: Decimal


class OrderBookUpdated(Event, frozen=True, kw_only=True):
    """The checksum-verified top of a pair's L2 book after a snapshot or update."""

    pair: str
    bids: tuple[BookLevel, ...]  # best (highest) first
    asks: tuple[BookLevel, ...]  # best (lowest) first
    is_snapshot: bool = False
    checksum: int = 0


class MarketTradeReceived(Event, frozen=True, kw_only=True):
    """A public trade printed on the exchange."""

    pair: str
    price: Decimal
    qty: Decimal
    side: Side  # the taker's side
    trade_id: str = ""
    ord_type: str = ""  # "limit" | "market" when the exchange says


class BarClosed(Event, frozen=True, kw_only=True):
    """An OHLCV bar built from trades, closed by the clock at the interval boundary."""

    pair: str
    interval_s: int
    open_time_ns: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    vwap: Decimal
    trade_count: int
    is_synthetic: bool = False  # True when filled in for an interval with no trades


class InstrumentUpdated(Event, frozen=True, kw_only=True):
    pair: str
    price_decimals: int
    lot_decimals: int
    ordermin: Decimal
    costmin: Decimal
    tick_size: Decimal | None = None


class BookChecksumMismatched(Event, frozen=True, kw_only=True):
    pair: str
    expected: int
    computed: int


class DataQualityIssueDetected(Event, frozen=True, kw_only=True):
    pair: str
    kind: str  # gap | out_of_order | duplicate | crossed_book | bad_value | malformed | stale
    detail: str


class MarketDataStale(Event, frozen=True, kw_only=True):
    pair: str
    last_update_ns: int
    stale_for_s: float


# ------------------------------------------------------------------- features, predictions


class FeatureVectorComputed(Event, frozen=True, kw_only=True):
    """Feature values in the feature set's fixed order. A missing value (still warming up) is NaN
    in process; JSON has no NaN, so after an encode/decode round trip it arrives as None."""

    pair: str
    feature_set_id: str
    names: tuple[str, ...]
    values: tuple[float | None, ...]


class PredictionMade(Event, frozen=True, kw_only=True):
    pair: str
    model_id: str
    prediction_target: str
    p_up: float
    confidence: float | None = None
    feature_set_id: str = ""
    member_model_ids: tuple[str, ...] = ()  # ensemble members that contributed


# ------------------------------------------------------------------------------ signals


class SignalProposed(Event, frozen=True, kw_only=True):
    signal_id: str
    pair: str
    strategy_id: str
    side: Side
    entry_type: OrderType
    entry_price: Decimal | None
    sl_price: Decimal
    tp_price: Decimal
    prediction_event_id: str | None = None
    prediction_value: float | None = None


class SignalApproved(Event, frozen=True, kw_only=True):
    signal_id: str
    pair: str
    strategy_id: str
    side: Side
    entry_type: OrderType
    qty: Decimal
    entry_price: Decimal | None
    sl_price: Decimal
    tp_price: Decimal
    risk_details: dict[str, Any] = msgspec.field(default_factory=dict)


class SignalRejected(Event, frozen=True, kw_only=True):
    signal_id: str
    pair: str
    stage: str
    reason: str
    risk_details: dict[str, Any] = msgspec.field(default_factory=dict)


# ------------------------------------------------------------------------ order commands


class SubmitOrder(Command, frozen=True, kw_only=True):
    client_order_id: str
    pair: str
    side: Side
    order_type: OrderType
    qty: Decimal
    limit_price: Decimal | None = None
    trigger_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    post_only: bool = False
    expire_time_ns: int | None = None
    signal_id: str | None = None
    purpose: str = "entry"  # entry | stop_loss | take_profit | exit


class CancelOrder(Command, frozen=True, kw_only=True):
    client_order_id: str
    pair: str
    reason: str = ""


class ClosePosition(Command, frozen=True, kw_only=True):
    pair: str
    reason: ExitReason


# -------------------------------------------------------------------------- order events


class OrderSubmitted(Event, frozen=True, kw_only=True):
    """Persisted as PENDING_NEW and sent to the venue."""

    client_order_id: str
    pair: str
    side: Side
    order_type: OrderType
    qty: Decimal
    limit_price: Decimal | None = None
    trigger_price: Decimal | None = None


class OrderAccepted(Event, frozen=True, kw_only=True):
    client_order_id: str
    exchange_order_id: str
    pair: str


class OrderRejected(Event, frozen=True, kw_only=True):
    client_order_id: str
    pair: str
    reason: str


class OrderCanceled(Event, frozen=True, kw_only=True):
    client_order_id: str
    exchange_order_id: str
    pair: str
    reason: str = ""


class OrderExpired(Event, frozen=True, kw_only=True):
    client_order_id: str
    exchange_order_id: str
    pair: str


class OrderFilled(Event, frozen=True, kw_only=True):
    """One execution against an order (a partial or the final fill)."""

    client_order_id: str
    exchange_order_id: str
    fill_id: str
    pair: str
    side: Side
    qty: Decimal
    price: Decimal
    fee: Decimal
    fee_currency: str
    liquidity: LiquiditySide
    cum_qty: Decimal
    leaves_qty: Decimal


# ----------------------------------------------------------------- positions, portfolio


class PositionChanged(Event, frozen=True, kw_only=True):
    pair: str
    qty: Decimal
    avg_price: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal


class TradeClosed(Event, frozen=True, kw_only=True):
    """A round trip from entry fill(s) to exit fill(s), net of every fee."""

    trade_id: str
    signal_id: str | None
    pair: str
    strategy_id: str
    side: Side
    qty: Decimal
    avg_entry_price: Decimal
    avg_exit_price: Decimal
    entry_time_ns: int
    exit_time_ns: int
    fees: Decimal
    realized_pnl: Decimal
    realized_pnl_pct: float
    exit_reason: ExitReason


class PositionSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    pair: str
    qty: Decimal
    avg_price: Decimal
    market_price: Decimal
    unrealized_pnl: Decimal


class PortfolioSnapshotTaken(Event, frozen=True, kw_only=True):
    equity: Decimal
    cash: Decimal
    available_balance: Decimal
    exposure_pct: float
    daily_drawdown_pct: float
    weekly_drawdown_pct: float
    total_drawdown_pct: float
    positions: tuple[PositionSnapshot, ...] = ()


# ----------------------------------------------------------------------- system, health


class SystemStateChanged(Event, frozen=True, kw_only=True):
    previous: SystemState
    current: SystemState
    reason: str = ""


class HaltTriggered(Event, frozen=True, kw_only=True):
    trigger: str
    reason: str
    behaviour: HaltBehaviour


class HaltResumed(Event, frozen=True, kw_only=True):
    resumed_by: str
    checklist: dict[str, Any] = msgspec.field(default_factory=dict)


class HealthChanged(Event, frozen=True, kw_only=True):
    component: str
    status: HealthStatus
    detail: str = ""


class AlertRaised(Event, frozen=True, kw_only=True):
    severity: AlertSeverity
    title: str
    message: str
    source: str = ""


# --------------------------------------------------------------------------- codec


def _all_subclasses(cls: type) -> list[type]:
    out: list[type] = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_all_subclasses(sub))
    return out


EVENT_TYPES: tuple[type[Event], ...] = tuple(t for t in _all_subclasses(Event) if t is not Command)
_EVENT_BY_NAME = {t.__name__: t for t in EVENT_TYPES}
_encoder = msgspec.json.Encoder(decimal_format="string")
# A tagged union: msgspec picks the class from the "type" field in one pass.
_decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(Union[EVENT_TYPES])  # noqa: UP007


def event_type_by_name(name: str) -> type[Event]:
    try:
        return _EVENT_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown event type {name!r}") from None


def encode_event(event: Event) -> bytes:
    """JSON with a ``type`` tag; Decimals as strings so nothing is rounded."""
    return _encoder.encode(event)


def decode_event(data: bytes | str) -> Event:
    """Inverse of ``encode_event``; raises ``msgspec.ValidationError`` on anything malformed."""
    return _decoder.decode(data)

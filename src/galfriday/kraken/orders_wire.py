"""Our orders on Kraken's wire: AddOrder form fields out, order / trade / execution reports in.

Out: ``AddOrderRequest`` (our ``Side``/``OrderType``/``TimeInForce`` and Decimal money, bound to an
``Instrument``) becomes the ordered list of AddOrder form fields. Prices and quantities must
already sit on the instrument's tick and lot: the encoder checks with the instrument's rounding and
refuses an off-grid value instead of silently moving the price or size of a real order. Numbers
are written in plain notation with the fewest digits (``0.1``, ``35000``; never ``1E-8``, never a
float): exact, within the pair's decimals, and what ccxt sends for the same order, which the tests
check byte for byte. Field order follows ccxt (pair, type, ordertype, volume, price, price2, ...).

Kraken's price fields by order type: ``price`` is the limit price of a limit order and the
*trigger* price of stop-loss / take-profit orders; ``price2`` is the limit price of the
``-limit`` variants.

In: QueryOrders / OpenOrders / ClosedOrders entries (``KrakenOrder``), TradesHistory entries
(``KrakenTrade``) and WS v2 ``executions`` frames (``ExecutionReport``), with exact Decimals whether
Kraken sent a number as a JSON string or a JSON number, and timestamps as int ns. Anything that
does not fit raises ``MalformedMessage``: count it and reconcile, never guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import msgspec

from galfriday.core.errors import GalFridayError
from galfriday.core.events import SubmitOrder
from galfriday.core.instruments import Instrument
from galfriday.core.types import LiquiditySide, OrderStatus, OrderType, Side, TimeInForce
from galfriday.kraken.ws_schemas import MalformedMessage, rfc3339_to_ns

NS_PER_S = 1_000_000_000
_INT32 = 2**31

_KRAKEN_ORDER_TYPE = {
    OrderType.MARKET: "market",
    OrderType.LIMIT: "limit",
    OrderType.STOP_LOSS: "stop-loss",
    OrderType.TAKE_PROFIT: "take-profit",
    OrderType.STOP_LOSS_LIMIT: "stop-loss-limit",
    OrderType.TAKE_PROFIT_LIMIT: "take-profit-limit",
}
_OUR_ORDER_TYPE = {wire: ours for ours, wire in _KRAKEN_ORDER_TYPE.items()}
_KRAKEN_SIDE = {Side.BUY: "buy", Side.SELL: "sell"}
_OUR_SIDE = {"buy": Side.BUY, "sell": Side.SELL}
_FEE_FLAG = {"base": "fcib", "quote": "fciq"}

# cl_ord_id: a UUID with or without dashes, or free text of up to 18 printable ASCII characters.
_CL_ORD_ID = re.compile(
    r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|[0-9a-fA-F]{32}|[\x21-\x7e][\x20-\x7e]{0,17})$"
)


class InvalidOrderError(GalFridayError, ValueError):
    """The order cannot be expressed as a valid Kraken AddOrder; nothing was sent."""


# ------------------------------------------------------------------------------ formatting


def format_decimal(value: Decimal) -> str:
    """Plain notation, no exponent, no trailing zeros: 0.10000000 -> "0.1", 1E+2 -> "100"."""
    if not value.is_finite():
        raise InvalidOrderError(f"{value} is not a finite number")
    text = format(value, "f")  # exact: unlike normalize(), no rounding to the context precision
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _on_grid(instrument: Instrument, what: str, value: Decimal | None, rounded: Decimal) -> str:
    if value != rounded:
        grid = f"lot {instrument.lot}" if what == "volume" else f"tick {instrument.tick}"
        raise InvalidOrderError(
            f"{instrument.symbol}: {what} {value} is not a multiple of the {grid}; round it with "
            "the Instrument (round_qty / round_price_passive) before building the order"
        )
    return format_decimal(rounded)


def format_price(instrument: Instrument, price: Decimal, what: str = "price") -> str:
    if price <= 0:
        raise InvalidOrderError(f"{instrument.symbol}: {what} must be positive, got {price}")
    return _on_grid(instrument, what, price, instrument.round_price(price))


def format_qty(instrument: Instrument, qty: Decimal) -> str:
    if qty <= 0:
        raise InvalidOrderError(f"{instrument.symbol}: volume must be positive, got {qty}")
    return _on_grid(instrument, "volume", qty, instrument.round_qty(qty))


def format_deadline(deadline_ns: int) -> str:
    """Kraken's ``deadline``: RFC3339 UTC with milliseconds (integer arithmetic, no float)."""
    seconds, ms = divmod(deadline_ns // 1_000_000, 1_000)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{ms:03d}Z"


# ------------------------------------------------------------------------------ AddOrder out


class AddOrderRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One order as we mean it; ``add_order_fields`` turns it into Kraken's form fields.

    ``deadline_ns`` (unix ns) tells the engine to reject the order if it cannot process it by
    then; the private client sets it for ``add_order_safely``, which relies on it to decide that
    an order it cannot find was never placed.
    """

    instrument: Instrument
    side: Side
    order_type: OrderType
    qty: Decimal
    limit_price: Decimal | None = None
    trigger_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    expire_time_s: int | None = None  # GTD: unix seconds
    post_only: bool = False
    fee_currency: Literal["base", "quote"] | None = None
    cl_ord_id: str | None = None
    userref: int | None = None
    deadline_ns: int | None = None
    validate: bool = False

    @classmethod
    def from_submit_order(cls, command: SubmitOrder, instrument: Instrument) -> AddOrderRequest:
        """The kernel's ``SubmitOrder`` command, with its client order id as ``cl_ord_id``.

        A GTD expiry in ns is floored to Kraken's whole seconds (expiring early, never late).
        """
        if command.pair != instrument.symbol:
            raise InvalidOrderError(f"order for {command.pair} given the instrument {instrument.symbol}")
        expire_s = None if command.expire_time_ns is None else command.expire_time_ns // NS_PER_S
        return cls(
            instrument=instrument,
            side=command.side,
            order_type=command.order_type,
            qty=command.qty,
            limit_price=command.limit_price,
            trigger_price=command.trigger_price,
            time_in_force=command.time_in_force,
            expire_time_s=expire_s,
            post_only=command.post_only,
            cl_ord_id=command.client_order_id,
        )


def check_cl_ord_id(cl_ord_id: str) -> str:
    if not _CL_ORD_ID.match(cl_ord_id):
        raise InvalidOrderError(
            f"cl_ord_id {cl_ord_id!r} is not accepted by Kraken: use a UUID (with or without dashes) "
            "or at most 18 printable ASCII characters"
        )
    return cl_ord_id


def _check(req: AddOrderRequest) -> None:
    kind = req.order_type
    problems = []
    if kind.has_limit_price != (req.limit_price is not None):
        problems.append(f"{kind} {'needs' if kind.has_limit_price else 'takes no'} limit_price")
    if kind.has_trigger_price != (req.trigger_price is not None):
        problems.append(f"{kind} {'needs' if kind.has_trigger_price else 'takes no'} trigger_price")
    if req.post_only and kind is not OrderType.LIMIT:
        problems.append("post_only applies to LIMIT orders only")
    if kind is OrderType.MARKET and req.time_in_force is not TimeInForce.GTC:
        problems.append("a MARKET order executes at once; leave time_in_force at GTC")
    if (req.time_in_force is TimeInForce.GTD) != (req.expire_time_s is not None):
        problems.append("GTD needs expire_time_s, and expire_time_s needs GTD")
    if req.cl_ord_id is not None and req.userref is not None:
        problems.append("cl_ord_id and userref are mutually exclusive on Kraken")
    if req.userref is not None and not -_INT32 <= req.userref < _INT32:
        problems.append(f"userref {req.userref} is not a 32-bit integer")
    if problems:
        raise InvalidOrderError(f"{req.instrument.symbol}: " + "; ".join(problems))
    if req.cl_ord_id is not None:
        check_cl_ord_id(req.cl_ord_id)


def add_order_fields(req: AddOrderRequest) -> list[tuple[str, str]]:
    """AddOrder form fields in wire order, without ``nonce`` (the client puts it first)."""
    _check(req)
    inst = req.instrument
    fields = [
        ("pair", inst.rest_pair_id or inst.altname),
        ("type", _KRAKEN_SIDE[req.side]),
        ("ordertype", _KRAKEN_ORDER_TYPE[req.order_type]),
        ("volume", format_qty(inst, req.qty)),
    ]
    if req.trigger_price is not None:
        fields.append(("price", format_price(inst, req.trigger_price, "trigger price")))
        if req.limit_price is not None:
            fields.append(("price2", format_price(inst, req.limit_price, "limit price")))
    elif req.limit_price is not None:
        fields.append(("price", format_price(inst, req.limit_price, "limit price")))
    oflags = [_FEE_FLAG[req.fee_currency]] if req.fee_currency else []
    if req.post_only:
        oflags.append("post")
    if oflags:
        fields.append(("oflags", ",".join(oflags)))
    if req.time_in_force is not TimeInForce.GTC:
        fields.append(("timeinforce", req.time_in_force.value))
    if req.expire_time_s is not None:
        fields.append(("expiretm", str(req.expire_time_s)))
    if req.cl_ord_id is not None:
        fields.append(("cl_ord_id", req.cl_ord_id))
    if req.userref is not None:
        fields.append(("userref", str(req.userref)))
    if req.deadline_ns is not None:
        fields.append(("deadline", format_deadline(req.deadline_ns)))
    if req.validate:
        fields.append(("validate", "true"))
    return fields


# ---------------------------------------------------------------------------- values in


def _fail(what: str, value: object) -> MalformedMessage:
    return MalformedMessage(f"Kraken {what}: unexpected value {str(value)[:80]!r}")


def _dec(value: Any, what: str) -> Decimal:
    """Exact Decimal from a JSON string, int, Decimal, or a float via its shortest repr."""
    if isinstance(value, bool) or value is None:
        raise _fail(what, value)
    try:
        dec = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise _fail(what, value) from None
    if not dec.is_finite():
        raise _fail(what, value)
    return dec


def _seconds_to_ns(value: Any, what: str) -> int:
    return int(_dec(value, what) * NS_PER_S)


def _str(entry: Mapping[str, Any], key: str, what: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str):
        raise _fail(f"{what}.{key}", value)
    return value


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _opt_int(value: Any, what: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _fail(what, value)
    dec = _dec(value, what)
    if dec != dec.to_integral_value():
        raise _fail(what, value)
    return int(dec)


def _side(value: Any, what: str) -> Side:
    try:
        return _OUR_SIDE[value]
    except (KeyError, TypeError):
        raise _fail(what, value) from None


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(what, value)
    return value


# --------------------------------------------------------------------------- orders in


class KrakenOrder(msgspec.Struct, frozen=True, kw_only=True):
    """One order from QueryOrders / OpenOrders / ClosedOrders.

    ``price``/``price2`` are Kraken's ``descr`` texts (they can be relative, e.g. ``+50.0000%``);
    ``avg_price`` is the average fill price (0 until something fills). ``order_type`` is None for
    Kraken types we do not trade (iceberg, trailing-stop, ...); ``kraken_type`` always has it.
    """

    txid: str
    status: str  # Kraken's: pending | open | closed | canceled | expired
    pair: str
    side: Side
    kraken_type: str
    order_type: OrderType | None
    qty: Decimal
    filled_qty: Decimal
    cost: Decimal
    fee: Decimal
    avg_price: Decimal
    price: str
    price2: str
    oflags: tuple[str, ...]
    cl_ord_id: str | None
    userref: int | None
    trades: tuple[str, ...]
    open_ns: int
    close_ns: int | None
    reason: str | None

    @property
    def order_status(self) -> OrderStatus:
        """Our status; a closed order that did not fill completely had its rest cancelled."""
        if self.status == "pending":
            return OrderStatus.PENDING_NEW
        if self.status == "open":
            return OrderStatus.PARTIALLY_FILLED if self.filled_qty > 0 else OrderStatus.NEW
        if self.status == "closed":
            return OrderStatus.FILLED if self.filled_qty >= self.qty else OrderStatus.CANCELED
        if self.status == "expired":
            return OrderStatus.EXPIRED
        return OrderStatus.CANCELED

    @property
    def is_open(self) -> bool:
        return self.status in ("pending", "open")


_ORDER_STATUSES = frozenset({"pending", "open", "closed", "canceled", "expired"})


def parse_order(txid: str, entry: Any) -> KrakenOrder:
    """One order entry keyed by ``txid`` (the shape is shared by the three order endpoints)."""
    what = f"order {txid}"
    entry = _mapping(entry, what)
    descr = _mapping(entry.get("descr"), f"{what}.descr")
    status = _str(entry, "status", what)
    if status not in _ORDER_STATUSES:
        raise _fail(f"{what}.status", status)
    kraken_type = _str(descr, "ordertype", what)
    trades = entry.get("trades") or []
    oflags = entry.get("oflags") or ""
    if not isinstance(trades, list) or not all(isinstance(t, str) for t in trades):
        raise _fail(f"{what}.trades", trades)
    if not isinstance(oflags, str):
        raise _fail(f"{what}.oflags", oflags)
    close = entry.get("closetm")
    return KrakenOrder(
        txid=txid,
        status=status,
        pair=_str(descr, "pair", what),
        side=_side(descr.get("type"), f"{what}.descr.type"),
        kraken_type=kraken_type,
        order_type=_OUR_ORDER_TYPE.get(kraken_type),
        qty=_dec(entry.get("vol"), f"{what}.vol"),
        filled_qty=_dec(entry.get("vol_exec"), f"{what}.vol_exec"),
        cost=_dec(entry.get("cost"), f"{what}.cost"),
        fee=_dec(entry.get("fee"), f"{what}.fee"),
        avg_price=_dec(entry.get("price"), f"{what}.price"),
        price=str(descr.get("price", "0")),
        price2=str(descr.get("price2", "0")),
        oflags=tuple(flag for flag in oflags.split(",") if flag),
        cl_ord_id=_opt_str(entry.get("cl_ord_id")),
        userref=_opt_int(entry.get("userref"), f"{what}.userref"),
        trades=tuple(trades),
        open_ns=_seconds_to_ns(entry.get("opentm"), f"{what}.opentm"),
        close_ns=None if close in (None, "", 0, "0") else _seconds_to_ns(close, f"{what}.closetm"),
        reason=_opt_str(entry.get("reason")),
    )


def parse_orders(entries: Any) -> tuple[KrakenOrder, ...]:
    """A ``{txid: entry}`` mapping (QueryOrders result, OpenOrders ``open``, ClosedOrders ``closed``)."""
    return tuple(parse_order(txid, entry) for txid, entry in _mapping(entries, "orders").items())


class ClosedOrdersPage(msgspec.Struct, frozen=True):
    orders: tuple[KrakenOrder, ...]
    count: int  # total matching orders; page on with ``ofs``


def parse_open_orders(result: Any) -> tuple[KrakenOrder, ...]:
    return parse_orders(_mapping(result, "OpenOrders").get("open") or {})


def parse_closed_orders(result: Any) -> ClosedOrdersPage:
    result = _mapping(result, "ClosedOrders")
    orders = parse_orders(result.get("closed") or {})
    count = _opt_int(result.get("count"), "ClosedOrders.count")
    return ClosedOrdersPage(orders, len(orders) if count is None else count)


class AddOrderResult(msgspec.Struct, frozen=True):
    txids: tuple[str, ...]  # empty for ``validate=true``
    description: str

    @property
    def txid(self) -> str | None:
        return self.txids[0] if self.txids else None


def parse_add_order(result: Any) -> AddOrderResult:
    result = _mapping(result, "AddOrder")
    txids = result.get("txid") or []
    if not isinstance(txids, list) or not all(isinstance(t, str) for t in txids):
        raise _fail("AddOrder.txid", txids)
    descr = result.get("descr") or {}
    order = descr.get("order", "") if isinstance(descr, Mapping) else ""
    return AddOrderResult(tuple(txids), str(order))


# --------------------------------------------------------------------------- trades in


class KrakenTrade(msgspec.Struct, frozen=True, kw_only=True):
    """One of our fills from TradesHistory / QueryTrades."""

    txid: str
    order_txid: str
    pair: str
    time_ns: int
    side: Side
    kraken_type: str
    price: Decimal
    qty: Decimal
    cost: Decimal
    fee: Decimal
    liquidity: LiquiditySide | None  # absent in older responses
    trade_id: int | None


def parse_trade(txid: str, entry: Any) -> KrakenTrade:
    what = f"trade {txid}"
    entry = _mapping(entry, what)
    maker = entry.get("maker")
    if maker is not None and not isinstance(maker, bool):
        raise _fail(f"{what}.maker", maker)
    return KrakenTrade(
        txid=txid,
        order_txid=_str(entry, "ordertxid", what),
        pair=_str(entry, "pair", what),
        time_ns=_seconds_to_ns(entry.get("time"), f"{what}.time"),
        side=_side(entry.get("type"), f"{what}.type"),
        kraken_type=_str(entry, "ordertype", what),
        price=_dec(entry.get("price"), f"{what}.price"),
        qty=_dec(entry.get("vol"), f"{what}.vol"),
        cost=_dec(entry.get("cost"), f"{what}.cost"),
        fee=_dec(entry.get("fee"), f"{what}.fee"),
        liquidity=None if maker is None else (LiquiditySide.MAKER if maker else LiquiditySide.TAKER),
        trade_id=_opt_int(entry.get("trade_id"), f"{what}.trade_id"),
    )


class TradesHistoryPage(msgspec.Struct, frozen=True):
    trades: tuple[KrakenTrade, ...]
    count: int


def parse_trades_history(result: Any) -> TradesHistoryPage:
    result = _mapping(result, "TradesHistory")
    trades = tuple(
        parse_trade(txid, entry) for txid, entry in _mapping(result.get("trades") or {}, "trades").items()
    )
    count = _opt_int(result.get("count"), "TradesHistory.count")
    return TradesHistoryPage(trades, len(trades) if count is None else count)


# ----------------------------------------------------------------------- WS executions in

ExecType = Literal[
    "pending_new",
    "new",
    "trade",
    "filled",
    "iceberg_refill",
    "canceled",
    "expired",
    "amended",
    "restated",
    "status",
]
_WS_ORDER_STATUS = {
    "pending_new": OrderStatus.PENDING_NEW,
    "new": OrderStatus.NEW,
    "partially_filled": OrderStatus.PARTIALLY_FILLED,
    "filled": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "expired": OrderStatus.EXPIRED,
}
_LIQUIDITY = {"m": LiquiditySide.MAKER, "t": LiquiditySide.TAKER}


class Fee(msgspec.Struct, frozen=True):
    asset: str
    qty: Decimal


class ExecutionReport(msgspec.Struct, frozen=True, kw_only=True):
    """One report of the ``executions`` channel; trade fields are set for ``exec_type == "trade"``.

    A ``trade`` report may say ``partially_filled`` even when it completes the order: completion
    is the separate ``filled`` report. De-duplicate fills across reconnects by ``exec_id``.
    """

    exec_type: ExecType
    order_id: str
    ts_ns: int
    order_status: OrderStatus | None
    cl_ord_id: str | None
    order_userref: int | None
    symbol: str | None
    side: Side | None
    order_type: str | None  # Kraken's (market, limit, stop-loss, ...)
    order_qty: Decimal | None
    limit_price: Decimal | None
    time_in_force: str | None
    post_only: bool | None
    cum_qty: Decimal | None
    cum_cost: Decimal | None
    avg_price: Decimal | None
    reason: str | None
    exec_id: str | None
    trade_id: int | None
    last_qty: Decimal | None
    last_price: Decimal | None
    cost: Decimal | None
    liquidity: LiquiditySide | None
    fees: tuple[Fee, ...]
    fee_usd_equiv: Decimal | None


class ExecutionsMessage(msgspec.Struct, frozen=True):
    is_snapshot: bool
    reports: tuple[ExecutionReport, ...]
    sequence: int | None


class _Exec(msgspec.Struct):
    exec_type: ExecType
    order_id: str
    timestamp: str
    order_status: (
        Literal["pending_new", "new", "partially_filled", "filled", "canceled", "expired"] | None
    ) = None
    cl_ord_id: str | None = None
    order_userref: int | None = None
    symbol: str | None = None
    side: Literal["buy", "sell"] | None = None
    order_type: str | None = None
    order_qty: Decimal | None = None
    limit_price: Decimal | None = None
    time_in_force: str | None = None
    post_only: bool | None = None
    cum_qty: Decimal | None = None
    cum_cost: Decimal | None = None
    avg_price: Decimal | None = None
    reason: str | None = None
    exec_id: str | None = None
    trade_id: int | None = None
    last_qty: Decimal | None = None
    last_price: Decimal | None = None
    cost: Decimal | None = None
    liquidity_ind: Literal["m", "t"] | None = None
    fees: list[Fee] = []
    fee_usd_equiv: Decimal | None = None


class _ExecutionsFrame(msgspec.Struct):
    channel: Literal["executions"]
    type: Literal["snapshot", "update"]
    data: list[_Exec]
    sequence: int | None = None


_executions = msgspec.json.Decoder(_ExecutionsFrame)


def decode_executions(raw: bytes | str) -> ExecutionsMessage:
    """One ``executions`` frame -> typed reports; ``MalformedMessage`` says why it is not one."""
    try:
        frame = _executions.decode(raw)
    except msgspec.DecodeError as exc:
        raise MalformedMessage(f"not a Kraken WS v2 executions message: {exc}") from None
    reports = tuple(
        ExecutionReport(
            exec_type=e.exec_type,
            order_id=e.order_id,
            ts_ns=rfc3339_to_ns(e.timestamp),
            order_status=None if e.order_status is None else _WS_ORDER_STATUS[e.order_status],
            cl_ord_id=e.cl_ord_id,
            order_userref=e.order_userref,
            symbol=e.symbol,
            side=None if e.side is None else _OUR_SIDE[e.side],
            order_type=e.order_type,
            order_qty=e.order_qty,
            limit_price=e.limit_price,
            time_in_force=e.time_in_force,
            post_only=e.post_only,
            cum_qty=e.cum_qty,
            cum_cost=e.cum_cost,
            avg_price=e.avg_price,
            reason=e.reason,
            exec_id=e.exec_id,
            trade_id=e.trade_id,
            last_qty=e.last_qty,
            last_price=e.last_price,
            cost=e.cost,
            liquidity=None if e.liquidity_ind is None else _LIQUIDITY[e.liquidity_ind],
            fees=tuple(e.fees),
            fee_usd_equiv=e.fee_usd_equiv,
        )
        for e in frame.data
    )
    return ExecutionsMessage(frame.type == "snapshot", reports, frame.sequence)

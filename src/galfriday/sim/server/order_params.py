"""AddOrder parameters in, ``OrderIntent`` out: the inverse of ``kraken.orders_wire``.

REST ``AddOrder`` sends form fields (strings); WS v2 ``add_order`` sends JSON params (numbers,
booleans, a ``triggers`` object). Both become one ``OrderIntent`` — what the client asked for,
checked for shape — and the matching engine then judges it against the instrument (tick, lot,
minimums, funds) with Kraken's error strings.

Kraken features the fill model does not simulate are refused explicitly rather than silently
approximated: relative prices (``+``/``-``/``#``/``%``), iceberg and trailing orders, scheduled
start times, conditional close orders, margin (``leverage``, ``reduce_only``). Accepted and
recorded but without effect: ``fcib``/``fciq`` (fees are always charged in the quote currency,
as the engine does), ``nompp``, ``stptype`` (our orders never meet each other: they match the
market, not the account's own orders) and ``trigger=index`` (treated as ``last``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from galfriday.core.instruments import Instrument
from galfriday.core.types import OrderType, Side, TimeInForce
from galfriday.kraken.orders_wire import InvalidOrderError, check_cl_ord_id
from galfriday.kraken.ws_schemas import MalformedMessage, rfc3339_to_ns
from galfriday.sim.server.assets import PairDirectory
from galfriday.sim.server.errors import ExchangeError, invalid_argument

NS_PER_S = 1_000_000_000
_ORDER_TYPES = {
    "market": OrderType.MARKET,
    "limit": OrderType.LIMIT,
    "stop-loss": OrderType.STOP_LOSS,
    "take-profit": OrderType.TAKE_PROFIT,
    "stop-loss-limit": OrderType.STOP_LOSS_LIMIT,
    "take-profit-limit": OrderType.TAKE_PROFIT_LIMIT,
}
KRAKEN_ORDER_TYPE = {ours: wire for wire, ours in _ORDER_TYPES.items()}
_SIDES = {"buy": Side.BUY, "sell": Side.SELL}
_TIFS = {"gtc": TimeInForce.GTC, "ioc": TimeInForce.IOC, "gtd": TimeInForce.GTD}
_OFLAGS = frozenset({"post", "fcib", "fciq", "nompp", "viqc"})
_STP = frozenset(
    {"cancel-newest", "cancel-oldest", "cancel-both", "cancel_newest", "cancel_oldest", "cancel_both"}
)
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0", ""})
_INT32 = 2**31
_MAX_DEADLINE_NS = 60 * NS_PER_S


class OrderIntent(msgspec.Struct, frozen=True, kw_only=True):
    """An order as the client asked for it; ``quote_qty`` is a market buy sized in quote (viqc)."""

    instrument: Instrument
    side: Side
    order_type: OrderType
    qty: Decimal | None
    quote_qty: Decimal | None = None
    limit_price: Decimal | None = None
    trigger_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    post_only: bool = False
    expire_wall_ns: int | None = None
    cl_ord_id: str = ""
    userref: int = 0
    oflags: tuple[str, ...] = ()
    validate: bool = False
    deadline_wall_ns: int | None = None


# -- field readers ----------------------------------------------------------------------------


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, bool):
        raise ExchangeError(invalid_argument(field))
    text = str(value).strip()
    if text[:1] in ("+", "-", "#") or text.endswith("%"):
        raise ExchangeError(invalid_argument(field), "relative prices are not simulated")
    try:
        dec = (
            value
            if isinstance(value, Decimal)
            else Decimal(repr(value) if isinstance(value, float) else text)
        )
    except InvalidOperation:
        raise ExchangeError(invalid_argument(field)) from None
    if not dec.is_finite() or dec <= 0:
        raise ExchangeError(invalid_argument(field))
    return dec


def _bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ExchangeError(invalid_argument(field))


def _choice(table: Mapping[str, Any], value: Any, field: str) -> Any:
    found = table.get(str(value).strip().lower())
    if found is None:
        raise ExchangeError(invalid_argument(field), f"{value!r} is not one of {sorted(table)}")
    return found


def _userref(value: Any, field: str) -> int:
    try:
        ref = int(str(value).strip())
    except ValueError:
        raise ExchangeError(invalid_argument(field)) from None
    if not -_INT32 <= ref < _INT32:
        raise ExchangeError(invalid_argument(field))
    return ref


def _cl_ord_id(value: Any, field: str) -> str:
    try:
        return check_cl_ord_id(str(value))
    except InvalidOrderError:
        raise ExchangeError(invalid_argument(field)) from None


def _rfc3339(value: Any, field: str) -> int:
    try:
        return rfc3339_to_ns(str(value))
    except MalformedMessage:
        raise ExchangeError(invalid_argument(field)) from None


def _deadline(value: Any, field: str, now_ns: int) -> int:
    deadline = _rfc3339(value, field)
    if deadline - now_ns > _MAX_DEADLINE_NS:
        raise ExchangeError(invalid_argument(field), "deadline more than 60 s ahead")
    return deadline


def _expiretm(value: str, now_ns: int) -> int | None:
    text = value.strip()
    if text in ("", "0", "+0"):
        return None
    try:
        seconds = Decimal(text[1:]) if text.startswith("+") else Decimal(text)
    except InvalidOperation:
        raise ExchangeError(invalid_argument("expiretm")) from None
    return now_ns + int(seconds * NS_PER_S) if text.startswith("+") else int(seconds * NS_PER_S)


def _prices(
    kind: OrderType, price: Decimal | None, price2: Decimal | None, price_field: str, limit_field: str
) -> tuple[Decimal | None, Decimal | None]:
    """(limit, trigger) from Kraken's price/price2 convention (see ``kraken.orders_wire``)."""
    if kind is OrderType.MARKET:
        return None, None
    if price is None:
        raise ExchangeError(invalid_argument(price_field), f"{kind} needs a price")
    if kind is OrderType.LIMIT:
        return price, None
    if not kind.has_limit_price:
        return None, price
    if price2 is None:
        raise ExchangeError(invalid_argument(limit_field), f"{kind} needs a limit price")
    return price2, price


def _tif(tif: TimeInForce | None, expire: int | None) -> TimeInForce:
    if tif is None:
        return TimeInForce.GTD if expire is not None else TimeInForce.GTC
    if tif is TimeInForce.GTC and expire is not None:
        return TimeInForce.GTD
    return tif


def _refuse_margin(leverage: Any, reduce_only: Any, field: str) -> None:
    if leverage not in (None, "", "none") or (reduce_only is not None and _bool(reduce_only, field)):
        raise ExchangeError(invalid_argument(field), "the simulator trades spot only (no margin)")


# -- REST AddOrder ------------------------------------------------------------------------------


def parse_rest_order(form: Mapping[str, str], pairs: PairDirectory, now_ns: int) -> OrderIntent:
    """AddOrder form fields -> intent; ``now_ns`` is the exchange's wall clock."""
    get = form.get
    for field in ("pair", "type", "ordertype", "volume"):
        if not get(field):
            raise ExchangeError(invalid_argument(field), f"{field} is required")
    instrument = pairs.get(form["pair"])
    kind: OrderType = _choice(_ORDER_TYPES, form["ordertype"], "ordertype")
    oflags = tuple(f.strip() for f in (get("oflags") or "").split(",") if f.strip())
    if not set(oflags) <= _OFLAGS:
        raise ExchangeError(invalid_argument("oflags"), f"{oflags} not in {sorted(_OFLAGS)}")
    if get("starttm", "0").strip() not in ("0", "+0", ""):
        raise ExchangeError(invalid_argument("starttm"), "scheduled orders are not simulated")
    if any(k.startswith("close[") for k in form) or get("displayvol"):
        raise ExchangeError(invalid_argument("close" if get("displayvol") is None else "displayvol"))
    _refuse_margin(get("leverage"), get("reduce_only"), "leverage" if get("leverage") else "reduce_only")
    if get("stptype") and get("stptype", "").lower() not in _STP:
        raise ExchangeError(invalid_argument("stptype"))
    if get("trigger") and get("trigger", "").lower() not in ("last", "index"):
        raise ExchangeError(invalid_argument("trigger"))
    price = _decimal(get("price"), "price") if get("price") else None
    price2 = _decimal(get("price2"), "price2") if get("price2") else None
    limit, trigger = _prices(kind, price, price2, "price", "price2")
    expire = _expiretm(get("expiretm") or "", now_ns)
    volume = _decimal(form["volume"], "volume")
    viqc = "viqc" in oflags
    if get("cl_ord_id") and get("userref"):
        raise ExchangeError(invalid_argument("cl_ord_id"), "cl_ord_id and userref are mutually exclusive")
    return OrderIntent(
        instrument=instrument,
        side=_choice(_SIDES, form["type"], "type"),
        order_type=kind,
        qty=None if viqc else volume,
        quote_qty=volume if viqc else None,
        limit_price=limit,
        trigger_price=trigger,
        time_in_force=_tif(
            _choice(_TIFS, get("timeinforce"), "timeinforce") if get("timeinforce") else None, expire
        ),
        post_only="post" in oflags,
        expire_wall_ns=expire,
        cl_ord_id=_cl_ord_id(get("cl_ord_id"), "cl_ord_id") if get("cl_ord_id") else "",
        userref=_userref(get("userref"), "userref") if get("userref") else 0,
        oflags=oflags,
        validate=_bool(get("validate", "false"), "validate"),
        deadline_wall_ns=_deadline(get("deadline"), "deadline", now_ns) if get("deadline") else None,
    )


# -- WS v2 add_order ----------------------------------------------------------------------------


def parse_ws_order(params: Mapping[str, Any], pairs: PairDirectory, now_ns: int) -> OrderIntent:
    """WS v2 ``add_order`` params (JSON decoded with exact decimals) -> intent."""
    get = params.get
    for field in ("symbol", "side", "order_type"):
        if get(field) in (None, ""):
            raise ExchangeError(invalid_argument(field), f"{field} is required")
    instrument = pairs.get(str(params["symbol"]))
    kind: OrderType = _choice(_ORDER_TYPES, params["order_type"], "order_type")
    if _bool(get("margin", False), "margin"):
        raise ExchangeError(invalid_argument("margin"), "the simulator trades spot only (no margin)")
    _refuse_margin(None, get("reduce_only"), "reduce_only")
    if get("conditional") is not None or get("display_qty") is not None:
        raise ExchangeError(invalid_argument("conditional" if get("display_qty") is None else "display_qty"))
    if get("effective_time") is not None:
        raise ExchangeError(invalid_argument("effective_time"), "scheduled orders are not simulated")
    if get("stp_type") is not None and str(get("stp_type")) not in _STP:
        raise ExchangeError(invalid_argument("stp_type"))
    triggers = get("triggers") or {}
    if not isinstance(triggers, Mapping) or triggers.get("price_type", "static") != "static":
        raise ExchangeError(invalid_argument("triggers"), "only static trigger prices are simulated")
    trigger_price = _decimal(triggers["price"], "triggers.price") if "price" in triggers else None
    limit_in = _decimal(get("limit_price"), "limit_price") if get("limit_price") is not None else None
    if kind.has_trigger_price:
        limit, trigger = _prices(kind, trigger_price, limit_in, "triggers", "limit_price")
    else:
        limit, trigger = _prices(kind, limit_in, None, "limit_price", "limit_price")
    cash = get("cash_order_qty")
    qty = _decimal(get("order_qty"), "order_qty") if cash is None else None
    expire = _rfc3339(get("expire_time"), "expire_time") if get("expire_time") else None
    if get("cl_ord_id") and get("order_userref") is not None:
        raise ExchangeError(
            invalid_argument("cl_ord_id"), "cl_ord_id and order_userref are mutually exclusive"
        )
    post_only = _bool(get("post_only", False), "post_only")
    tif_in = get("time_in_force")
    return OrderIntent(
        instrument=instrument,
        side=_choice(_SIDES, params["side"], "side"),
        order_type=kind,
        qty=qty,
        quote_qty=_decimal(cash, "cash_order_qty") if cash is not None else None,
        limit_price=limit,
        trigger_price=trigger,
        time_in_force=_tif(_choice(_TIFS, tif_in, "time_in_force") if tif_in else None, expire),
        post_only=post_only,
        expire_wall_ns=expire,
        cl_ord_id=_cl_ord_id(get("cl_ord_id"), "cl_ord_id") if get("cl_ord_id") else "",
        userref=_userref(get("order_userref"), "order_userref") if get("order_userref") is not None else 0,
        oflags=("post",) if post_only else (),
        validate=_bool(get("validate", False), "validate"),
        deadline_wall_ns=_deadline(get("deadline"), "deadline", now_ns) if get("deadline") else None,
    )

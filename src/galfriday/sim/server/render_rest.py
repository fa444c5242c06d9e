"""The exchange's objects as Kraken's REST ``result`` JSON.

Shapes follow real recorded Kraken responses (ccxt's 2024 recordings for orders, nautilus'
2025 recordings for public data; the tests compare key by key and type by type): money as
strings with fixed decimals, times/counts/ids as numbers, except order times and ``userref``,
which Kraken's order endpoints write as strings. Prices use the pair's ``pair_decimals``,
volumes its ``lot_decimals``, costs and fees ``COST_DECIMALS``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from galfriday.core.instruments import Instrument
from galfriday.core.types import OrderType, Side
from galfriday.sim.server import wire
from galfriday.sim.server.assets import altname, asset_decimals, rest_asset, rest_pair_id, v1_wsname
from galfriday.sim.server.order_params import KRAKEN_ORDER_TYPE
from galfriday.sim.server.orders import FillRecord, OrderRecord
from galfriday.sim.server.public_book import PublicBook
from galfriday.sim.server.tape import PublicTrade
from galfriday.sim.server.ticker import TickerStats
from galfriday.sim.server.timefmt import NS_PER_S, unix_seconds

COST_DECIMALS = 5  # AssetPairs cost_decimals of the USD pairs
_VOLUME_TIERS = (0, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000)
_TIER_STEP = Decimal("0.02")  # percent points per volume tier, Kraken's classic schedule
_ZERO = Decimal(0)
_SIDE = {Side.BUY: "buy", Side.SELL: "sell"}
_DESCR_KIND = {
    OrderType.STOP_LOSS: "stop loss",
    OrderType.TAKE_PROFIT: "take profit",
    OrderType.STOP_LOSS_LIMIT: "stop loss",
    OrderType.TAKE_PROFIT_LIMIT: "take profit",
}


def price(inst: Instrument, value: Decimal | None) -> str:
    return wire.fixed(value, inst.price_decimals)


def volume(inst: Instrument, value: Decimal) -> str:
    return wire.fixed(value, inst.lot_decimals)


def money(value: Decimal) -> str:
    return wire.fixed(value, COST_DECIMALS)


def fee_schedule(first_fraction: Decimal) -> list[list[Any]]:
    """Kraken's volume tiers starting at the instrument's rate (percent, 0.02 lower per tier)."""
    first = first_fraction * 100
    return [
        [tier, wire.number(max(_ZERO, first - _TIER_STEP * i).quantize(Decimal("0.01")))]
        for i, tier in enumerate(_VOLUME_TIERS)
    ]


# -- public ------------------------------------------------------------------------------------


def asset_pair(inst: Instrument) -> dict[str, Any]:
    return {
        "altname": altname(inst),
        "wsname": v1_wsname(inst),
        "aclass_base": "currency",
        "base": rest_asset(inst.base),
        "aclass_quote": "currency",
        "quote": rest_asset(inst.quote),
        "lot": "unit",
        "cost_decimals": COST_DECIMALS,
        "pair_decimals": inst.price_decimals,
        "lot_decimals": inst.lot_decimals,
        "lot_multiplier": 1,
        "leverage_buy": [],
        "leverage_sell": [],
        "fees": fee_schedule(inst.taker_fee),
        "fees_maker": fee_schedule(inst.maker_fee),
        "fee_volume_currency": "ZUSD",
        "margin_call": 80,
        "margin_stop": 40,
        "ordermin": wire.at_least(inst.ordermin, 0),
        "costmin": wire.at_least(inst.costmin, 0),
        "tick_size": format(inst.tick, "f"),
        "status": "online",
        "long_position_limit": 0,
        "short_position_limit": 0,
    }


def asset(common: str) -> dict[str, Any]:
    decimals, display = asset_decimals(common)
    return {
        "aclass": "currency",
        "altname": common,
        "decimals": decimals,
        "display_decimals": display,
        "status": "enabled",
    }


def ticker(inst: Instrument, stats: TickerStats) -> dict[str, Any]:
    def side(level: tuple[Decimal, Decimal] | None) -> list[str]:
        p, q = level if level is not None else (_ZERO, _ZERO)
        return [price(inst, p), str(int(q)), f"{q:.3f}"]

    last_p, last_q = stats.last if stats.last is not None else (_ZERO, _ZERO)
    vwap_places = max(5, inst.price_decimals)
    return {
        "a": side(stats.ask),
        "b": side(stats.bid),
        "c": [price(inst, last_p), volume(inst, last_q)],
        "v": [volume(inst, stats.today.volume), volume(inst, stats.day.volume)],
        "p": [wire.fixed(stats.today.vwap, vwap_places), wire.fixed(stats.day.vwap, vwap_places)],
        "t": [stats.today.trades, stats.day.trades],
        "l": [price(inst, stats.today.low), price(inst, stats.day.low)],
        "h": [price(inst, stats.today.high), price(inst, stats.day.high)],
        "o": price(inst, stats.today.open),
    }


def depth(inst: Instrument, book: PublicBook, count: int) -> dict[str, Any]:
    ts = book.ts_ns // NS_PER_S
    return {
        "asks": [[price(inst, lv.price), volume(inst, lv.qty), ts] for lv in book.asks[:count]],
        "bids": [[price(inst, lv.price), volume(inst, lv.qty), ts] for lv in book.bids[:count]],
    }


def trade_row(inst: Instrument, trade: PublicTrade) -> list[Any]:
    return [
        price(inst, trade.price),
        volume(inst, trade.qty),
        wire.number(unix_seconds(trade.ts_ns, 7)),
        "b" if trade.side is Side.BUY else "s",
        "m" if trade.ord_type == "market" else "l",
        "",
        trade.trade_id,
    ]


# -- private -----------------------------------------------------------------------------------


def _descr_order(inst: Instrument, r: OrderRecord) -> str:
    head = f"{_SIDE[r.side]} {volume(inst, r.qty)} {altname(inst)} @ "
    if r.order_type is OrderType.MARKET:
        return head + "market"
    if r.order_type is OrderType.LIMIT:
        return head + f"limit {price(inst, r.limit_price)}"
    text = head + f"{_DESCR_KIND[r.order_type]} {price(inst, r.trigger_price)}"
    return text + (f" -> limit {price(inst, r.limit_price)}" if r.order_type.has_limit_price else "")


def descr(inst: Instrument, r: OrderRecord) -> dict[str, str]:
    kind = r.order_type
    first = r.limit_price if kind is OrderType.LIMIT else r.trigger_price
    return {
        "pair": altname(inst),
        "type": _SIDE[r.side],
        "ordertype": KRAKEN_ORDER_TYPE[kind],
        "price": price(inst, first) if first is not None else "0",
        "price2": price(inst, r.limit_price) if kind.has_limit_price and kind is not OrderType.LIMIT else "0",
        "leverage": "none",
        "order": _descr_order(inst, r),
        "close": "",
    }


def _oflags(r: OrderRecord) -> str:
    flags = list(r.oflags)
    if "fcib" not in flags and "fciq" not in flags:
        flags.append("fciq")  # Kraken reports the default fee currency explicitly
    return ",".join(flags)


def order(inst: Instrument, r: OrderRecord, *, trades: bool, reason: bool = True) -> dict[str, Any]:
    """One order entry (OpenOrders lists them without ``reason``, as Kraken does)."""
    kind = r.order_type
    out: dict[str, Any] = {
        "refid": None,
        "userref": str(r.userref),
        "status": r.status,
        "opentm": str(unix_seconds(r.open_ns, 6)),
        "starttm": "0",
        "expiretm": str(r.expire_wall_ns // NS_PER_S) if r.expire_wall_ns else "0",
        "descr": descr(inst, r),
        "vol": volume(inst, r.qty),
        "vol_exec": volume(inst, r.vol_exec),
        "cost": money(r.cost),
        "fee": money(r.fee),
        "price": price(inst, r.avg_price),
        "stopprice": price(inst, r.trigger_price if kind.has_trigger_price else _ZERO),
        "limitprice": price(
            inst, r.limit_price if kind.has_trigger_price and kind.has_limit_price else _ZERO
        ),
        "misc": "",
        "oflags": _oflags(r),
    }
    if r.cl_ord_id:
        out["cl_ord_id"] = r.cl_ord_id
    if trades and r.trades:
        out["trades"] = list(r.trades)
    if reason:
        out["reason"] = r.reason
    if r.close_ns is not None:
        out["closetm"] = str(unix_seconds(r.close_ns, 7))
    return out


def fill(inst: Instrument, f: FillRecord, *, ledgers: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ordertxid": f.order_txid,
        "postxid": f"P{f.txid[1:]}",
        "pair": rest_pair_id(inst),
        "time": wire.number(unix_seconds(f.time_ns, 4)),
        "type": _SIDE[f.side],
        "ordertype": KRAKEN_ORDER_TYPE[f.order_type],
        "price": price(inst, f.price),
        "cost": money(f.cost),
        "fee": money(f.fee),
        "vol": volume(inst, f.qty),
        "margin": money(_ZERO),
        "misc": "",
        "trade_id": f.trade_id,
        "maker": f.maker,
    }
    if ledgers:
        out["ledgers"] = [f"L{f.txid[1:]}B", f"L{f.txid[1:]}Q"]
    return out


def balance(common: str, amount: Decimal) -> str:
    return wire.at_least(amount, asset_decimals(common)[0])

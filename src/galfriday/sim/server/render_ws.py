"""The exchange's messages as Kraken WebSocket v2 JSON.

Shapes follow docs/kraken_protocol.md §2, §6, §7 and the recorded samples (the tests decode every
message with ``kraken.ws_schemas`` / ``kraken.orders_wire`` and compare shapes with the samples):
prices and sizes are JSON numbers at the pair's full precision (``wire.number``), timestamps
RFC3339 with microseconds. Each function returns a dict ready for ``wire.encode``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from galfriday.core.events import BookLevel
from galfriday.core.instruments import Instrument
from galfriday.core.types import Side
from galfriday.sim.server.account_events import BalanceChange, ExecutionUpdate
from galfriday.sim.server.assets import asset_decimals
from galfriday.sim.server.order_params import KRAKEN_ORDER_TYPE
from galfriday.sim.server.public_book import BookDiff
from galfriday.sim.server.tape import PublicTrade
from galfriday.sim.server.ticker import TickerStats
from galfriday.sim.server.timefmt import rfc3339
from galfriday.sim.server.wire import number

API_VERSION = "v2"
SERVER_VERSION = "2.0.10"
_ZERO = Decimal(0)
_AVG_PLACES = Decimal("1E-10")
_SIDE = {Side.BUY: "buy", Side.SELL: "sell"}
_V2_STATUS = {"pending": "pending_new", "closed": "filled", "canceled": "canceled", "expired": "expired"}

HEARTBEAT: dict[str, Any] = {"channel": "heartbeat"}


def status(connection_id: int) -> dict[str, Any]:
    return {
        "channel": "status",
        "type": "update",
        "data": [
            {
                "version": SERVER_VERSION,
                "system": "online",
                "api_version": API_VERSION,
                "connection_id": connection_id,
            },
        ],
    }


def response(
    method: str, req_id: Any, time_in: int, time_out: int, *, result: Any = None, error: str | None = None
) -> dict[str, Any]:
    """A method's answer: ``success`` with ``result``, or ``success: false`` with ``error``."""
    out: dict[str, Any] = {"method": method}
    if error is None:
        if result is not None:
            out["result"] = result
        out["success"] = True
    else:
        out["success"] = False
        out["error"] = error
    out["time_in"], out["time_out"] = rfc3339(time_in), rfc3339(time_out)
    if req_id is not None:
        out["req_id"] = req_id
    return out


# -- public channels -------------------------------------------------------------------------------


def _levels(levels: Iterable[BookLevel]) -> list[dict[str, Any]]:
    return [{"price": number(lv.price), "qty": number(lv.qty)} for lv in levels]


def book(
    kind: str,
    symbol: str,
    bids: Iterable[BookLevel],
    asks: Iterable[BookLevel],
    checksum: int,
    ts_ns: int,
) -> dict[str, Any]:
    return {
        "channel": "book",
        "type": kind,
        "data": [
            {
                "symbol": symbol,
                "bids": _levels(bids),
                "asks": _levels(asks),
                "checksum": checksum,
                "timestamp": rfc3339(ts_ns),
            }
        ],
    }


def book_update(symbol: str, diff: BookDiff, checksum: int, ts_ns: int) -> dict[str, Any]:
    return book("update", symbol, diff.bids, diff.asks, checksum, ts_ns)


def trades(kind: str, symbol: str, items: Iterable[PublicTrade]) -> dict[str, Any]:
    return {
        "channel": "trade",
        "type": kind,
        "data": [
            {
                "symbol": symbol,
                "side": _SIDE[t.side],
                "price": number(t.price),
                "qty": number(t.qty),
                "ord_type": t.ord_type,
                "trade_id": t.trade_id,
                "timestamp": rfc3339(t.ts_ns),
            }
            for t in items
        ],
    }


def ticker(kind: str, inst: Instrument, stats: TickerStats, ts_ns: int) -> dict[str, Any]:
    tick, lot = inst.tick, inst.lot

    def p(value: Decimal) -> Any:
        return number(value.quantize(tick))

    def q(value: Decimal) -> Any:
        return number(value.quantize(lot))

    bid_p, bid_q = stats.bid or (_ZERO, _ZERO)
    ask_p, ask_q = stats.ask or (_ZERO, _ZERO)
    last = stats.last[0] if stats.last else _ZERO
    day = stats.day
    change = last - day.open
    pct = (change / day.open * 100) if day.open else _ZERO
    return {
        "channel": "ticker",
        "type": kind,
        "data": [
            {
                "symbol": inst.symbol,
                "bid": p(bid_p),
                "bid_qty": q(bid_q),
                "ask": p(ask_p),
                "ask_qty": q(ask_q),
                "last": p(last),
                "volume": q(day.volume),
                "vwap": p(day.vwap),
                "low": p(day.low),
                "high": p(day.high),
                "change": p(change),
                "change_pct": number(pct.quantize(Decimal("0.01"))),
                "timestamp": rfc3339(ts_ns),
            }
        ],
    }


def instruments(items: Iterable[Instrument]) -> dict[str, Any]:
    items = list(items)
    assets = sorted({c for i in items for c in (i.base, i.quote)})
    return {
        "channel": "instrument",
        "type": "snapshot",
        "data": {
            "assets": [
                {
                    "id": a,
                    "status": "enabled",
                    "precision": asset_decimals(a)[0],
                    "precision_display": asset_decimals(a)[1],
                    "borrowable": False,
                    "collateral_value": number(Decimal("0.0")),
                    "margin_rate": number(Decimal("0.0")),
                }
                for a in assets
            ],
            "pairs": [
                {
                    "symbol": i.symbol,
                    "base": i.base,
                    "quote": i.quote,
                    "status": "online",
                    "qty_precision": i.lot_decimals,
                    "qty_increment": number(i.lot),
                    "price_precision": i.price_decimals,
                    "cost_precision": 5,
                    "marginable": False,
                    "has_index": True,
                    "cost_min": number(i.costmin),
                    "tick_size": number(i.tick),
                    "price_increment": number(i.tick),
                    "qty_min": number(i.ordermin),
                }
                for i in items
            ],
        },
    }


# -- private channels -------------------------------------------------------------------------------


def _order_status(update: ExecutionUpdate) -> str:
    if update.status == "open":
        return "partially_filled" if update.cum_qty else "new"
    return _V2_STATUS[update.status]


def execution(update: ExecutionUpdate) -> dict[str, Any]:
    r, fill = update.record, update.fill
    kind = r.order_type
    out: dict[str, Any] = {
        "order_id": r.txid,
        "symbol": r.pair,
        "order_qty": number(r.qty),
        "cum_cost": number(update.cum_cost),
        "time_in_force": r.time_in_force.value,
        "exec_type": update.exec_type,
        "side": _SIDE[r.side],
        "order_type": KRAKEN_ORDER_TYPE[kind],
        "order_userref": r.userref,
        "post_only": r.post_only,
        "reduce_only": False,
        "order_status": _order_status(update),
        "cum_qty": number(update.cum_qty),
        "fee_usd_equiv": number(update.cum_fee),
        "fee_ccy_pref": "fciq",
        "timestamp": rfc3339(update.ts_ns),
    }
    if update.cum_qty:
        out["avg_price"] = number((update.cum_cost / update.cum_qty).quantize(_AVG_PLACES))
    if r.cl_ord_id:
        out["cl_ord_id"] = r.cl_ord_id
    if r.limit_price is not None:
        out["limit_price"] = number(r.limit_price)
    if r.trigger_price is not None:
        out["triggers"] = {
            "reference": "last",
            "price": number(r.trigger_price),
            "price_type": "static",
            "status": "triggered" if r.triggered else "untriggered",
        }
    if update.reason:
        out["reason"] = update.reason
    if fill is not None:
        out.update(
            {
                "exec_id": fill.txid,
                "trade_id": fill.trade_id,
                "last_qty": number(fill.qty),
                "last_price": number(fill.price),
                "cost": number(fill.cost),
                "liquidity_ind": "m" if fill.maker else "t",
                "fees": [{"asset": r.pair.partition("/")[2], "qty": number(fill.fee)}],
                "fee_usd_equiv": number(fill.fee),
            }
        )
    return out


def executions(kind: str, updates: Iterable[ExecutionUpdate], sequence: int) -> dict[str, Any]:
    return {
        "channel": "executions",
        "type": kind,
        "data": [execution(u) for u in updates],
        "sequence": sequence,
    }


def balances_snapshot(totals: Mapping[str, Decimal], sequence: int) -> dict[str, Any]:
    return {
        "channel": "balances",
        "type": "snapshot",
        "sequence": sequence,
        "data": [
            {
                "asset": a,
                "asset_class": "currency",
                "balance": number(v),
                "wallets": [{"type": "spot", "id": "main", "balance": number(v)}],
            }
            for a, v in sorted(totals.items())
        ],
    }


def balances_update(changes: Iterable[BalanceChange], sequence: int) -> dict[str, Any]:
    return {
        "channel": "balances",
        "type": "update",
        "sequence": sequence,
        "data": [
            {
                "ledger_id": c.ledger_id,
                "ref_id": c.ref_id,
                "timestamp": rfc3339(c.ts_ns),
                "type": "trade",
                "asset": c.asset,
                "asset_class": "currency",
                "category": "trade",
                "wallet_type": "spot",
                "wallet_id": "main",
                "amount": number(c.amount),
                "fee": number(c.fee),
                "balance": number(c.balance),
            }
            for c in changes
        ],
    }

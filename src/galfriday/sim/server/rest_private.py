"""REST ``/0/private/<Method>``: account data, order entry and queries, dead-man switch, WS token.

Each call is authenticated by ``PrivateAuth`` first (key, signature, nonce, REST counter); an
injected ``rest_error`` fault answers before that, like an outage in front of Kraken would.
Order entry goes through ``Exchange.place`` / ``SimAccount``, so REST and WS share every rule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from aiohttp import web

from galfriday.sim.server import errors, render_rest
from galfriday.sim.server.assets import rest_asset, rest_pair_id
from galfriday.sim.server.errors import ExchangeError
from galfriday.sim.server.exchange import Exchange
from galfriday.sim.server.http_auth import PrivateAuth
from galfriday.sim.server.http_common import (
    Params,
    answer,
    bool_param,
    drop_connection,
    injected_failure,
    int_param,
)
from galfriday.sim.server.order_params import parse_rest_order
from galfriday.sim.server.orders import OrderRecord
from galfriday.sim.server.sim_account import SimAccount
from galfriday.sim.server.timefmt import NS_PER_S, rfc3339_seconds

logger = logging.getLogger(__name__)

_PAGE = 50
_DAYS_30_NS = 30 * 86_400 * NS_PER_S
Endpoint = Callable[[SimAccount, Params], Any]


class _Dropped(Exception):
    """The order was placed; the reply must be lost (accept_then_drop fault)."""


class PrivateRest:
    def __init__(self, exchange: Exchange) -> None:
        self.ex = exchange
        self.auth = PrivateAuth(exchange)
        self._methods: dict[str, Endpoint] = {
            "Balance": self.balance,
            "BalanceEx": self.balance_ex,
            "TradeVolume": self.trade_volume,
            "AddOrder": self.add_order,
            "CancelOrder": self.cancel_order,
            "CancelAll": self.cancel_all,
            "CancelAllOrdersAfter": self.cancel_after,
            "OpenOrders": self.open_orders,
            "ClosedOrders": self.closed_orders,
            "QueryOrders": self.query_orders,
            "TradesHistory": self.trades_history,
            "GetWebSocketsToken": self.ws_token,
        }

    async def handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        failure = injected_failure(self.ex.faults, method)
        if failure is not None:
            return failure
        call = self._methods.get(method)
        try:
            account, params = await self.auth.check(request, method)
            if call is None:
                raise ExchangeError(errors.UNKNOWN_METHOD)
            return answer(call(account, params))
        except _Dropped:
            return drop_connection(request)
        except ExchangeError as exc:
            logger.debug("private %s refused: %s", method, exc)
            return answer(error=[exc.error])

    # -- account ---------------------------------------------------------------------------------------

    def balance(self, account: SimAccount, _: Params) -> dict[str, str]:
        return {
            rest_asset(a): render_rest.balance(a, v) for a, v in sorted(account.account.balances().items())
        }

    def balance_ex(self, account: SimAccount, _: Params) -> dict[str, dict[str, str]]:
        acc = account.account
        return {
            rest_asset(a): {
                "balance": render_rest.balance(a, v),
                "hold_trade": render_rest.balance(a, acc.held(a)),
            }
            for a, v in sorted(acc.balances().items())
        }

    def trade_volume(self, account: SimAccount, params: Params) -> dict[str, Any]:
        since = self.ex.clock.wall_ns() - _DAYS_30_NS
        volume = sum((f.cost for f in account.ledger.fills if f.time_ns >= since), Decimal(0))
        pairs = self.ex.pairs.select(params.get("pair")) if params.get("pair") else []

        def fees(rate: Decimal) -> dict[str, str]:
            pct = rate * 100
            return {
                "fee": f"{pct:.4f}",
                "minfee": "0.1000" if rate else "0.0000",
                "maxfee": f"{pct:.4f}",
                "nextfee": f"{max(Decimal(0), pct - Decimal('0.02')):.4f}",
                "nextvolume": "50000.0000",
                "tiervolume": "0.0000",
            }

        return {
            "currency": "ZUSD",
            "volume": f"{volume:.4f}",
            "fees": {rest_pair_id(i): fees(i.taker_fee) for i in pairs},
            "fees_maker": {rest_pair_id(i): fees(i.maker_fee) for i in pairs},
        }

    def ws_token(self, account: SimAccount, _: Params) -> dict[str, Any]:
        return {"token": self.ex.tokens.issue(account.api_key), "expires": int(self.ex.config.token_ttl_s)}

    # -- order entry -------------------------------------------------------------------------------------

    def add_order(self, account: SimAccount, params: Params) -> dict[str, Any]:
        intent = parse_rest_order(params, self.ex.pairs, self.ex.clock.wall_ns())
        record = self.ex.place(account, intent)
        if record.txid and self.ex.faults.accept_then_drop("rest"):
            raise _Dropped
        result: dict[str, Any] = {"descr": {"order": render_rest.descr(intent.instrument, record)["order"]}}
        if record.txid:
            result["txid"] = [record.txid]
        return result

    def cancel_order(self, account: SimAccount, params: Params) -> dict[str, int]:
        key = params.get("txid") or params.get("cl_ord_id") or ""
        if not key:
            raise ExchangeError(errors.invalid_argument("txid"), "txid or cl_ord_id is required")
        if "cl_ord_id" not in params and key.lstrip("-").isdigit():
            return {"count": account.cancel(userref=int(key))}
        return {"count": account.cancel([k.strip() for k in key.split(",")])}

    def cancel_all(self, account: SimAccount, _: Params) -> dict[str, int]:
        return {"count": account.cancel_all()}

    def cancel_after(self, account: SimAccount, params: Params) -> dict[str, str]:
        timeout = int_param(params, "timeout")
        if timeout is None or timeout < 0:
            raise ExchangeError(
                errors.invalid_argument("timeout"), "timeout in seconds is required (0 disables)"
            )
        now, trigger = self.ex.set_dead_man(account, timeout)
        return {
            "currentTime": rfc3339_seconds(now),
            "triggerTime": rfc3339_seconds(trigger) if trigger else "0",
        }

    # -- queries -------------------------------------------------------------------------------------------

    def _render(self, records: list[OrderRecord], params: Params, *, reason: bool = True) -> dict[str, Any]:
        trades = bool_param(params, "trades")
        inst = self.ex.pairs.instruments
        return {r.txid: render_rest.order(inst[r.pair], r, trades=trades, reason=reason) for r in records}

    @staticmethod
    def _filtered(records: list[OrderRecord], params: Params) -> list[OrderRecord]:
        cl_ord_id, userref = params.get("cl_ord_id"), int_param(params, "userref")
        return [
            r
            for r in records
            if (not cl_ord_id or r.cl_ord_id == cl_ord_id) and (userref is None or r.userref == userref)
        ]

    def open_orders(self, account: SimAccount, params: Params) -> dict[str, Any]:
        records = self._filtered(list(account.ledger.open_orders()), params)
        return {"open": self._render(records, params, reason=False)}

    def closed_orders(self, account: SimAccount, params: Params) -> dict[str, Any]:
        records = self._filtered(account.ledger.closed_orders(), params)
        start, end = self._bound(account, params, "start"), self._bound(account, params, "end")
        which = params.get("closetime", "both")

        def stamps(r: OrderRecord) -> list[int]:
            close = r.close_ns or 0
            return [r.open_ns] if which == "open" else [close] if which == "close" else [r.open_ns, close]

        records = [
            r
            for r in records
            if any((start is None or t > start) and (end is None or t < end) for t in stamps(r))
        ]
        ofs = int_param(params, "ofs", 0) or 0
        return {"closed": self._render(records[ofs : ofs + _PAGE], params), "count": len(records)}

    def query_orders(self, account: SimAccount, params: Params) -> dict[str, Any]:
        txids = [t.strip() for t in params.get("txid", "").split(",") if t.strip()]
        userref = int_param(params, "userref")
        if not txids and userref is None:
            raise ExchangeError(errors.invalid_argument("txid"), "txid or userref is required")
        if txids:
            missing = [t for t in txids if t not in account.ledger.by_txid]
            if missing:
                raise ExchangeError(errors.INVALID_ORDER, f"unknown {missing}")
            records = [account.ledger.by_txid[t] for t in txids]
        else:
            records = [r for r in account.ledger.by_txid.values() if r.userref == userref]
        return self._render(records, params)

    def trades_history(self, account: SimAccount, params: Params) -> dict[str, Any]:
        start, end = self._bound(account, params, "start"), self._bound(account, params, "end")
        fills = [
            f
            for f in reversed(account.ledger.fills)
            if (start is None or f.time_ns > start) and (end is None or f.time_ns < end)
        ]
        ofs = int_param(params, "ofs", 0) or 0
        inst, ledgers = self.ex.pairs.instruments, bool_param(params, "ledgers")
        return {
            "trades": {
                f.txid: render_rest.fill(inst[f.pair], f, ledgers=ledgers) for f in fills[ofs : ofs + _PAGE]
            },
            "count": len(fills),
        }

    @staticmethod
    def _bound(account: SimAccount, params: Params, name: str) -> int | None:
        """A ``start``/``end`` filter in wall ns: unix seconds, or an order txid (its open time)."""
        value = params.get(name, "").strip()
        if not value:
            return None
        record = account.ledger.by_txid.get(value)
        if record is not None:
            return record.open_ns
        try:
            return int(Decimal(value) * NS_PER_S)
        except ArithmeticError:
            raise ExchangeError(errors.invalid_argument(name)) from None

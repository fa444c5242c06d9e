"""WS v2 private endpoint: ``executions`` and ``balances`` channels, and order entry.

Every request carries a ``token`` from ``GetWebSocketsToken``; the first valid one binds the
connection to its account (``ESession:Invalid session`` for unknown/expired tokens, or a token
of another account). Trading methods — ``add_order``, ``cancel_order``, ``cancel_all``,
``cancel_all_orders_after`` — share ``Exchange``/``SimAccount`` with REST, so limits, faults and
ids are the same. Answers follow docs/kraken_protocol.md §7; ``cancel_order`` answers once per
order. Subscribed connections hear every execution and balance change of their account
(``order_status: false`` leaves out ``pending_new`` and ``status`` reports).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from galfriday.sim.server import errors, render_ws
from galfriday.sim.server.account_events import BalanceChange, ExecutionUpdate
from galfriday.sim.server.config import SimulatorConfig
from galfriday.sim.server.errors import ExchangeError, invalid_argument
from galfriday.sim.server.exchange import Exchange
from galfriday.sim.server.order_params import parse_ws_order
from galfriday.sim.server.sim_account import SimAccount
from galfriday.sim.server.timefmt import rfc3339_seconds
from galfriday.sim.server.ws_connection import WsConnection
from galfriday.sim.server.ws_hub import WsHub

_TRADE_SNAPSHOT = 50
_QUIET_EXEC_TYPES = frozenset({"pending_new", "status"})
_DROPPED = object()  # add_order placed the order and the reply must be lost (accept_then_drop)


class PrivateSession:
    """One private connection's account and subscriptions; an ``AccountListener``."""

    def __init__(self, conn: WsConnection) -> None:
        self.conn = conn
        self.account: SimAccount | None = None
        self.executions = False
        self.all_statuses = True
        self.balances = False
        self.sequence = 0

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence

    def on_executions(self, updates: list[ExecutionUpdate]) -> None:
        if not self.executions:
            return
        shown = updates if self.all_statuses else [u for u in updates if u.exec_type not in _QUIET_EXEC_TYPES]
        if shown:
            self.conn.send(render_ws.executions("update", shown, self.next_sequence()), "executions")

    def on_balances(self, changes: list[BalanceChange]) -> None:
        if self.balances:
            self.conn.send(render_ws.balances_update(changes, self.next_sequence()), "balances")


class PrivateWsHub(WsHub):
    where = "private"

    def __init__(self, exchange: Exchange, config: SimulatorConfig) -> None:
        super().__init__(exchange, config)
        self._sessions: dict[WsConnection, PrivateSession] = {}
        self._methods: dict[str, Callable[[PrivateSession, dict[str, Any]], Any]] = {
            "subscribe": self._subscribe,
            "unsubscribe": self._unsubscribe,
            "add_order": self._add_order,
            "cancel_order": self._cancel_order,
            "cancel_all": self._cancel_all,
            "cancel_all_orders_after": self._cancel_after,
        }

    def dispatch(
        self, conn: WsConnection, method: str, params: dict[str, Any], req_id: Any, time_in: int
    ) -> None:
        call = self._methods.get(method)
        if call is None:
            super().dispatch(conn, method, params, req_id, time_in)
            return
        session = self._sessions.setdefault(conn, PrivateSession(conn))
        try:
            self._authenticate(session, params)
            result = call(session, params)
        except ExchangeError as exc:
            conn.send(self.reply(method, req_id, time_in, error=exc.error), "response")
            return
        if method == "cancel_order":
            for one in result:
                conn.send(self.reply(method, req_id, time_in, result=one), "response")
            return
        if result is _DROPPED:
            conn.abort()
            return
        conn.send(self.reply(method, req_id, time_in, result=result), "response")
        if method == "subscribe":
            self._snapshot(session, params)

    def _authenticate(self, session: PrivateSession, params: dict[str, Any]) -> None:
        api_key = self.ex.tokens.use(str(params.get("token", "")))
        if api_key is None or (session.account is not None and session.account.api_key != api_key):
            raise ExchangeError(errors.INVALID_SESSION)
        if session.account is None:
            session.account = self.ex.accounts[api_key]
            session.account.listeners.add(session)

    def forget(self, conn: WsConnection) -> None:
        session = self._sessions.pop(conn, None)
        if session is not None and session.account is not None:
            session.account.listeners.discard(session)

    # -- subscriptions ------------------------------------------------------------------------------

    def _subscribe(self, session: PrivateSession, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if channel == "executions":
            session.executions = True
            session.all_statuses = bool(params.get("order_status", True))
        elif channel == "balances":
            session.balances = True
        else:
            raise ExchangeError(f"Channel {channel} not supported")
        session.conn.subscribed = True
        return {"channel": channel, "snapshot": bool(params.get("snapshot", True))}

    def _unsubscribe(self, session: PrivateSession, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if channel not in ("executions", "balances"):
            raise ExchangeError("Subscription Not Found")
        setattr(session, channel, False)
        return {"channel": channel}

    def _snapshot(self, session: PrivateSession, params: dict[str, Any]) -> None:
        account = session.account
        assert account is not None  # _authenticate bound it
        if params.get("channel") == "executions":
            updates: list[ExecutionUpdate] = []
            if params.get("snap_orders", params.get("snapshot", True)):
                updates += [
                    ExecutionUpdate.of("new" if r.status == "open" else "pending_new", r, r.open_ns)
                    for r in account.ledger.open_orders()
                ]
            if params.get("snap_trades", False):
                by_txid = account.ledger.by_txid
                updates += [
                    ExecutionUpdate.of("trade", by_txid[f.order_txid], f.time_ns, f)
                    for f in account.ledger.fills[-_TRADE_SNAPSHOT:]
                ]
            session.conn.send(
                render_ws.executions("snapshot", updates, session.next_sequence()), "executions"
            )
        elif params.get("snapshot", True):
            session.conn.send(
                render_ws.balances_snapshot(account.account.balances(), session.next_sequence()), "balances"
            )

    # -- trading ------------------------------------------------------------------------------------

    def _add_order(self, session: PrivateSession, params: dict[str, Any]) -> Any:
        account = session.account
        assert account is not None
        intent = parse_ws_order(params, self.ex.pairs, self.ex.clock.wall_ns())
        record = self.ex.place(account, intent)
        if record.txid and self.ex.faults.accept_then_drop("ws"):
            return _DROPPED
        result: dict[str, Any] = {"order_id": record.txid}
        if record.cl_ord_id:
            result["cl_ord_id"] = record.cl_ord_id
        result["order_userref"] = record.userref
        return result

    def _cancel_order(self, session: PrivateSession, params: dict[str, Any]) -> list[dict[str, Any]]:
        account = session.account
        assert account is not None
        keys = [*(params.get("order_id") or []), *(params.get("cl_ord_id") or [])]
        refs = params.get("order_userref") or []
        if not keys and not refs:
            raise ExchangeError(
                invalid_argument("order_id"), "order_id, cl_ord_id or order_userref is required"
            )
        out: list[dict[str, Any]] = []
        for key in map(str, keys):
            record = account.ledger.find_open(key)
            account.cancel([key])
            assert record is not None  # cancel raised EOrder:Unknown order otherwise
            out.append(
                {"order_id": record.txid, "cl_ord_id": key} if key != record.txid else {"order_id": key}
            )
        for ref in refs:
            account.cancel(userref=int(ref))
            out.append({"order_userref": ref})
        return out

    def _cancel_all(self, session: PrivateSession, _: dict[str, Any]) -> dict[str, Any]:
        account = session.account
        assert account is not None
        return {"count": account.cancel_all()}

    def _cancel_after(self, session: PrivateSession, params: dict[str, Any]) -> dict[str, Any]:
        account = session.account
        assert account is not None
        timeout = params.get("timeout")
        if not isinstance(timeout, int) or timeout < 0:
            raise ExchangeError(invalid_argument("timeout"))
        now, trigger = self.ex.set_dead_man(account, timeout)
        return {
            "currentTime": rfc3339_seconds(now),
            "triggerTime": rfc3339_seconds(trigger) if trigger else "0",
        }

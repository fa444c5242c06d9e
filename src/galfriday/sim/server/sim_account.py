"""One API key's account on the simulated exchange: balances, one matching engine per pair,
the order ledger, and the account's Kraken limits.

Order entry enforces, in Kraken's order: a ``deadline`` already past (``EOrder:Deadline
elapsed``); the pair's matching-engine counter (``EOrder:Rate limit exceeded``; the transaction
is charged at receipt, as Kraken does, unless refused for the rate itself); the per-pair
open-order cap (``EOrder:Orders limit exceeded``); ``cl_ord_id`` unique among open orders;
then the engine's own checks (tick, lot, minimums, funds) with its Kraken strings. Counters and
caps are ``kraken.trading_limits``' classes, the same model our client uses to stay under them.

The engines all share the account's ``Account`` (one USD balance for both pairs). Every report
they produce goes through ``ReportApplier`` and out to the listeners (private WS sessions).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_DOWN, Decimal

from galfriday.core.events import Event
from galfriday.core.instruments import Instrument, round_to_increment
from galfriday.core.types import OrderType
from galfriday.kraken.trading_limits import RestCallCounter, TradeAction, TradingLimits, tier_limits
from galfriday.sim.errors import UnknownOrderError
from galfriday.sim.matching import (
    Account,
    ExecType,
    ExecutionReport,
    FillModelConfig,
    MatchingEngine,
    OrderRequest,
)
from galfriday.sim.matching import reasons as engine_reasons
from galfriday.sim.matching.validation import OrderRules
from galfriday.sim.server import errors
from galfriday.sim.server.account_events import AccountListener
from galfriday.sim.server.accounts import AccountSpec
from galfriday.sim.server.clock import MarketClock
from galfriday.sim.server.errors import ExchangeError, invalid_argument
from galfriday.sim.server.order_params import OrderIntent
from galfriday.sim.server.orders import FillRecord, OrderLedger, OrderRecord
from galfriday.sim.server.report_apply import ReportApplier

# A cancel counts once the engine took it: done (latency 0) or pending until the latency passed.
_CANCELING = frozenset({ExecType.CANCELED, ExecType.PENDING_CANCEL})


def engine_seed(seed: int, generation: int, api_key: str) -> int:
    """Per account and simulator run, so order and trade ids never repeat across keys or restarts."""
    digest = hashlib.sha256(f"{seed}:{generation}:{api_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


class SimAccount:
    def __init__(
        self,
        spec: AccountSpec,
        instruments: Iterable[Instrument],
        fill_config: FillModelConfig,
        *,
        clock: MarketClock,
        seed: int,
        generation: int,
        limits_now: Callable[[], float],
        balances: Mapping[str, Decimal] | None = None,
        fills: Iterable[FillRecord] = (),
    ) -> None:
        self.spec = spec
        self.clock = clock
        self.account = Account(spec.balances if balances is None else balances)
        eseed = engine_seed(seed, generation, spec.api_key)
        self.engines = {
            i.symbol: MatchingEngine(i, self.account, fill_config, seed=eseed) for i in instruments
        }
        self._rules = {i.symbol: OrderRules(i) for i in instruments}
        limits = tier_limits(spec.tier)
        self.rest_counter = RestCallCounter(limits, now=limits_now)
        self.trading = TradingLimits(limits, now=limits_now)
        self.ledger = OrderLedger()
        self.ledger.fills.extend(fills)
        first_id = max((f.trade_id for f in self.ledger.fills), default=0) + 1
        self.applier = ReportApplier(self.ledger, self.account, self.trading.orders, clock.wall_ns, first_id)
        self.listeners: set[AccountListener] = set()
        self.last_nonce = 0
        self.deadman_at_ns: int | None = None  # wall time the dead-man switch fires
        self.revision = 0  # bumped on every change the state file must see

    @property
    def api_key(self) -> str:
        return self.spec.api_key

    # -- order entry ------------------------------------------------------------------------------

    def place(self, intent: OrderIntent, reference: Decimal | None) -> OrderRecord:
        """Place (or with ``validate`` only check) an order; a validated-only one has no txid.

        ``reference`` is the price a market order would get now (sizes ``viqc`` buys).
        """
        inst = intent.instrument
        pair = inst.symbol
        wall = self.clock.wall_ns()
        if intent.deadline_wall_ns is not None and wall > intent.deadline_wall_ns:
            raise ExchangeError(errors.DEADLINE_ELAPSED)
        cost = self.trading.cost_of(TradeAction.ADD)
        if not self.trading.counter.can_submit(pair, cost):
            raise ExchangeError(
                errors.ORDER_RATE_LIMIT, f"{pair} counter {self.trading.counter.level(pair):.1f}"
            )
        self.trading.counter.record(pair, cost)
        if not self.trading.orders.can_open(pair):
            raise ExchangeError(
                errors.ORDERS_LIMIT, f"{self.trading.orders.max_open_per_pair} open on {pair}"
            )
        if intent.cl_ord_id and intent.cl_ord_id in self.ledger.open_by_cl_ord_id:
            raise ExchangeError(engine_reasons.DUPLICATE_CLIENT_ID)
        if intent.expire_wall_ns is not None and intent.expire_wall_ns <= wall:
            raise ExchangeError(engine_reasons.INVALID_EXPIRE)
        ts = self.clock.market_now_ns()
        request = self._request(intent, inst, reference, ts)
        record = OrderRecord(
            txid="",
            pair=pair,
            side=intent.side,
            order_type=intent.order_type,
            qty=request.qty,
            limit_price=intent.limit_price,
            trigger_price=intent.trigger_price,
            time_in_force=intent.time_in_force,
            post_only=intent.post_only,
            expire_wall_ns=intent.expire_wall_ns,
            cl_ord_id=intent.cl_ord_id,
            userref=intent.userref,
            oflags=intent.oflags,
            open_ns=wall,
        )
        if intent.validate:
            problem = self._rules[pair].rejection(request, now_ns=ts, reference=reference)
            if problem:
                raise ExchangeError(problem)
            return record
        reports = self.engines[pair].submit(request, ts)
        if reports[0].exec_type is ExecType.REJECTED:
            raise ExchangeError(reports[0].reason)
        record.txid = record.engine_id = reports[0].order_id
        self.ledger.add(record)
        self.trading.orders.opened(pair, record.txid, record.cl_ord_id or None)
        self._publish(reports)
        return record

    def _request(
        self, intent: OrderIntent, inst: Instrument, reference: Decimal | None, ts: int
    ) -> OrderRequest:
        qty = intent.qty
        if qty is None:  # market buy sized in quote currency (viqc / cash_order_qty)
            if intent.order_type is not OrderType.MARKET or reference is None or intent.quote_qty is None:
                raise ExchangeError(
                    invalid_argument("volume"), "quote-sized orders need a market buy and a price"
                )
            qty = round_to_increment(intent.quote_qty / reference, inst.lot, ROUND_DOWN)
        expire = (
            None
            if intent.expire_wall_ns is None
            else max(ts + 1, self.clock.market_at_wall(intent.expire_wall_ns))
        )
        return OrderRequest(
            side=intent.side,
            order_type=intent.order_type,
            qty=qty,
            limit_price=intent.limit_price,
            trigger_price=intent.trigger_price,
            time_in_force=intent.time_in_force,
            post_only=intent.post_only,
            expire_time_ns=expire,
            client_order_id=intent.cl_ord_id,
        )

    def cancel(self, keys: Iterable[str] = (), userref: int | None = None) -> int:
        """Cancel open orders named by txid / cl_ord_id, or all with ``userref``; how many ended."""
        if userref is not None:
            records = [r for r in self.ledger.open_orders() if r.userref == userref]
        else:
            found = [self.ledger.find_open(k) for k in keys]
            records = [r for r in found if r is not None]
        if not records:
            raise ExchangeError(errors.UNKNOWN_ORDER)
        ts = self.clock.market_now_ns()
        count = 0
        for record in records:
            cost = self.trading.cost_of(TradeAction.CANCEL, record.txid)
            if not self.trading.counter.can_submit(record.pair, cost):
                raise ExchangeError(errors.ORDER_RATE_LIMIT)
            self.trading.counter.record(record.pair, cost)
            try:
                reports = self.engines[record.pair].cancel(ts, order_id=record.engine_id)
            except UnknownOrderError:
                continue  # it ended (filled) a moment ago; the ledger already says so
            self._publish(reports)
            count += any(r.exec_type in _CANCELING for r in reports)
        return count

    def cancel_all(self) -> int:
        ts = self.clock.market_now_ns()
        count = 0
        for engine in self.engines.values():
            reports = engine.cancel_all(ts)
            count += len({r.order_id for r in reports if r.exec_type in _CANCELING})
            self._publish(reports)
        return count

    # -- time and market ----------------------------------------------------------------------------

    def on_market(self, event: Event) -> None:
        engine = self.engines.get(getattr(event, "pair", ""))
        if engine is not None:
            reports = engine.on_event(event)
            if reports:
                self._publish(reports)

    def advance(self, market_ns: int) -> None:
        for engine in self.engines.values():
            if market_ns > engine.now_ns:
                reports = engine.advance_to(market_ns)
                if reports:
                    self._publish(reports)

    # -- restart ------------------------------------------------------------------------------------

    def restore_order(self, record: OrderRecord) -> None:
        """Put a persisted order back: closed ones as they are, open ones re-submitted for what is
        left (the engine holds the funds again); a remainder the engine refuses is canceled."""
        record.engine_id = record.engine_id or record.txid
        self.ledger.add(record)
        if not record.is_open:
            self.ledger.closed(record)
            return
        record.base_exec, record.base_cost, record.base_fee = record.vol_exec, record.cost, record.fee
        kind, trigger = record.order_type, record.trigger_price
        if record.triggered and kind.has_trigger_price:  # a fired stop continues as what it became
            kind, trigger = (OrderType.LIMIT if kind.has_limit_price else OrderType.MARKET), None
        expire = record.expire_wall_ns
        request = OrderRequest(
            side=record.side,
            order_type=kind,
            qty=record.leaves,
            limit_price=record.limit_price if kind.has_limit_price else None,
            trigger_price=trigger,
            time_in_force=record.time_in_force,
            post_only=record.post_only,
            expire_time_ns=None if expire is None else self.clock.market_at_wall(expire),
            client_order_id=record.cl_ord_id,
        )
        reports = self.engines[record.pair].submit(request, self.clock.market_now_ns())
        if reports[0].exec_type is ExecType.REJECTED:
            record.status, record.reason, record.close_ns = (
                "canceled",
                reports[0].reason,
                self.clock.wall_ns(),
            )
            self.ledger.closed(record)
            return
        record.restoring = True
        self.ledger.rebind(record, reports[0].order_id)
        self.trading.orders.opened(record.pair, record.txid, record.cl_ord_id or None)
        self._publish(reports)

    # -- fan-out --------------------------------------------------------------------------------------

    def _publish(self, reports: list[ExecutionReport]) -> None:
        self.revision += 1
        updates, changes = self.applier.apply(reports)
        for listener in list(self.listeners):
            if updates:
                listener.on_executions(updates)
            if changes:
                listener.on_balances(changes)

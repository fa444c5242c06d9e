"""Every state change of an order, applied and reported in one place.

The matching rules (book, trade print, bar) decide *what* happens; this module makes it happen the
same way for all of them: it moves money through the account, updates the order, removes finished
orders from the working set, releases their holds and appends one ``ExecutionReport`` per change.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from galfriday.core.instruments import Instrument, round_to_increment
from galfriday.core.types import LiquiditySide, OrderStatus
from galfriday.sim.ids import KrakenIds
from galfriday.sim.matching import reasons
from galfriday.sim.matching.account import Account
from galfriday.sim.matching.fees import fee_for, fee_quantum
from galfriday.sim.matching.funds import affordable_qty
from galfriday.sim.matching.money import EXACT
from galfriday.sim.matching.orders import TERMINAL, OrderRequest, SimOrder
from galfriday.sim.matching.reports import ExecType, ExecutionReport
from galfriday.sim.matching.working import WorkingOrders

ZERO = Decimal(0)
_ENDINGS = {
    OrderStatus.CANCELED: ExecType.CANCELED,
    OrderStatus.EXPIRED: ExecType.EXPIRED,
    OrderStatus.REJECTED: ExecType.REJECTED,
}


class Executions:
    __slots__ = (
        "_base",
        "_ids",
        "_maker_fee",
        "_pair",
        "_quote",
        "_taker_fee",
        "account",
        "fee_quantum",
        "lot",
        "now_ns",
        "reports",
        "tick",
        "working",
    )

    def __init__(
        self,
        instrument: Instrument,
        account: Account,
        working: WorkingOrders,
        ids: KrakenIds,
        fee_decimals: int,
    ) -> None:
        self.account = account
        self.working = working
        self._ids = ids
        # read once: Instrument computes tick/lot on every access, and fills are hot
        self.tick, self.lot = instrument.tick, instrument.lot
        self._pair, self._base, self._quote = instrument.symbol, instrument.base, instrument.quote
        self._maker_fee, self._taker_fee = instrument.maker_fee, instrument.taker_fee
        self.fee_quantum = fee_quantum(fee_decimals)
        self.reports: list[ExecutionReport] = []
        self.now_ns = 0  # the engine's clock, stamped as ts_init

    def take_reports(self) -> list[ExecutionReport]:
        out, self.reports = self.reports, []
        return out

    # -- reports --------------------------------------------------------------------------------

    def report(self, order: SimOrder, exec_type: ExecType, ts: int, reason: str = "") -> None:
        self.reports.append(self.snapshot(order, exec_type, ts, reason))

    def snapshot(
        self,
        order: SimOrder,
        exec_type: ExecType,
        ts: int,
        reason: str = "",
        fill: tuple[Decimal, Decimal, Decimal, LiquiditySide] | None = None,
    ) -> ExecutionReport:
        """The report of ``order`` as it is now; ``fill`` = (qty, price, fee, liquidity) of a trade."""
        status = order.status
        # positional, in field order (see ExecutionReport): this is the engine's hottest line
        head = (
            exec_type,
            status,
            order.order_id,
            order.client_order_id,
            self._pair,
            order.side,
            order.order_type,
            order.qty,
            order.limit_price,
            order.trigger_price,
            order.cum_qty,
            ZERO if status in TERMINAL else order.qty - order.cum_qty,
            order.cum_cost,
            order.cum_fee,
            ts,
            ts if ts > self.now_ns else self.now_ns,
            reason,
        )
        if fill is None:
            return ExecutionReport(*head)
        qty, price, fee, liquidity = fill
        return ExecutionReport(*head, self._ids.trade_id(), qty, price, fee, self._quote, liquidity)

    def refuse(self, request: OrderRequest, reason: str, ts: int) -> None:
        """A submission refused before it became an order (no order id, nothing held)."""
        self.reports.append(
            ExecutionReport(
                exec_type=ExecType.REJECTED,
                status=OrderStatus.REJECTED,
                order_id="",
                client_order_id=request.client_order_id,
                pair=self._pair,
                side=request.side,
                order_type=request.order_type,
                order_qty=request.qty,
                limit_price=request.limit_price,
                trigger_price=request.trigger_price,
                cum_qty=ZERO,
                leaves_qty=ZERO,
                cum_cost=ZERO,
                cum_fee=ZERO,
                ts_event=ts,
                ts_init=max(ts, self.now_ns),
                reason=reason,
            )
        )

    # -- transitions ----------------------------------------------------------------------------

    def new(self, order: SimOrder, ts: int) -> None:
        order.live = True
        order.status = OrderStatus.NEW
        self.report(order, ExecType.NEW, ts)

    def trigger(self, order: SimOrder, ts: int) -> None:
        """The trigger fired: from now on the order works as a market or limit order."""
        self.working.triggered(order)
        order.active_ns = ts  # the trigger's own data cannot fill it: the next data may
        self.report(order, ExecType.TRIGGERED, ts)

    def end(self, order: SimOrder, status: OrderStatus, ts: int, reason: str = "") -> None:
        """Cancel, expire or reject an open order: release its hold and forget it."""
        order.status = status
        self._release(order)
        self.working.remove(order)
        self.report(order, _ENDINGS[status], ts, reason)

    def fill(
        self, order: SimOrder, price: Decimal, qty: Decimal, liquidity: LiquiditySide, ts: int
    ) -> Decimal:
        """Fill up to ``qty`` at ``price``; returns what filled (less if funds ran short).

        ``qty`` is cut down to the lot and to the order's leaves. A buy the account cannot fully
        pay for fills what it can and the rest of the order is canceled (Insufficient funds).
        """
        qty = min(qty, order.leaves)
        if qty % self.lot:
            qty = round_to_increment(qty, self.lot, ROUND_DOWN)
        if qty <= 0:
            return ZERO
        rate = self._maker_fee if liquidity is LiquiditySide.MAKER else self._taker_fee
        cost = EXACT.multiply(price, qty)
        fee = fee_for(cost, rate, self.fee_quantum)
        short = False
        account = self.account
        if order.is_buy:
            need = EXACT.add(cost, fee)
            if need > order.hold:
                payable = EXACT.add(order.hold, account.available(self._quote))
                if need > payable:
                    short = True
                    qty = affordable_qty(payable, price, rate, self.lot, self.fee_quantum)
                    if qty <= 0:
                        self.end(order, OrderStatus.CANCELED, ts, reasons.INSUFFICIENT_FUNDS)
                        return ZERO
                    cost = EXACT.multiply(price, qty)
                    fee = fee_for(cost, rate, self.fee_quantum)
                    need = EXACT.add(cost, fee)
            from_hold = need if need <= order.hold else order.hold
            account.pay_from_hold(self._quote, from_hold)
            order.hold = EXACT.subtract(order.hold, from_hold)
            if need > from_hold:
                account.pay(self._quote, EXACT.subtract(need, from_hold))
            account.receive(self._base, qty)
        else:
            account.pay_from_hold(self._base, qty)
            order.hold = EXACT.subtract(order.hold, qty)
            account.receive(self._quote, EXACT.subtract(cost, fee))
        order.cum_qty = EXACT.add(order.cum_qty, qty)
        order.cum_cost = EXACT.add(order.cum_cost, cost)
        order.cum_fee = EXACT.add(order.cum_fee, fee)
        done = order.cum_qty == order.qty
        order.status = OrderStatus.FILLED if done else OrderStatus.PARTIALLY_FILLED
        if done:
            self._release(order)
            self.working.remove(order)
        self.reports.append(self.snapshot(order, ExecType.TRADE, ts, fill=(qty, price, fee, liquidity)))
        if short:
            self.end(order, OrderStatus.CANCELED, ts, reasons.INSUFFICIENT_FUNDS)
        return qty

    def _release(self, order: SimOrder) -> None:
        if order.hold:
            self.account.release(self._quote if order.is_buy else self._base, order.hold)
            order.hold = ZERO

"""Engine reports -> the exchange's order records, fills and balance entries, in Kraken's terms.

Mapping (engine ``ExecType`` -> record status, ``executions`` exec_type):
- pending_new -> ``pending``, ``pending_new``; new -> ``open``, ``new``
- triggered -> (still open), ``status``
- trade -> fill recorded, ``trade``; if it completes the order also ``closed`` and a separate
  ``filled`` report, as Kraken does (the engine folds completion into the trade)
- canceled / expired -> ``canceled`` / ``expired``; an order the engine rejected after accepting
  it (post-only that would take) -> ``canceled`` with the reason, as on Kraken
- pending_cancel: nothing (Kraken reports only the cancel itself)

Cumulative fields come from the engine's report plus what had filled before a restart
(``OrderRecord.base_*``), so a restored order keeps counting from where it was.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable
from decimal import Decimal

from galfriday.core.types import LiquiditySide, OrderStatus, Side
from galfriday.kraken.trading_limits import RestingOrders
from galfriday.sim.matching import Account, ExecType, ExecutionReport
from galfriday.sim.server.account_events import BalanceChange, ExecutionUpdate
from galfriday.sim.server.orders import FillRecord, OrderLedger, OrderRecord

_ZERO = Decimal(0)
_ENDED = {ExecType.CANCELED: "canceled", ExecType.EXPIRED: "expired", ExecType.REJECTED: "canceled"}


class ReportApplier:
    def __init__(
        self,
        ledger: OrderLedger,
        account: Account,
        resting: RestingOrders,
        wall_ns: Callable[[], int],
        first_trade_id: int = 1,
    ) -> None:
        self.ledger = ledger
        self.account = account
        self.resting = resting
        self._wall_ns = wall_ns
        self._trade_ids = itertools.count(first_trade_id)

    def apply(self, reports: Iterable[ExecutionReport]) -> tuple[list[ExecutionUpdate], list[BalanceChange]]:
        updates: list[ExecutionUpdate] = []
        changes: list[BalanceChange] = []
        now = self._wall_ns()
        for report in reports:
            record = self.ledger.by_engine_id.get(report.order_id)
            if record is not None:
                self._one(record, report, now, updates, changes)
        return updates, self._with_balances(changes)

    def _one(
        self,
        record: OrderRecord,
        report: ExecutionReport,
        now: int,
        updates: list[ExecutionUpdate],
        changes: list[BalanceChange],
    ) -> None:
        kind = report.exec_type
        if kind is ExecType.PENDING_NEW:
            if not record.restoring:
                updates.append(ExecutionUpdate.of("pending_new", record, now))
        elif kind is ExecType.NEW:
            was_pending = record.status == "pending"
            record.status = "open"
            if not record.restoring or was_pending:
                updates.append(ExecutionUpdate.of("new", record, now))
            record.restoring = False
        elif kind is ExecType.TRIGGERED:
            record.triggered = True
            updates.append(ExecutionUpdate.of("status", record, now))
        elif kind is ExecType.TRADE:
            self._trade(record, report, now, updates, changes)
        elif kind in _ENDED:
            self._end(record, _ENDED[kind], report.reason or None, now)
            updates.append(ExecutionUpdate.of(_ENDED[kind], record, now))

    def _trade(
        self,
        record: OrderRecord,
        report: ExecutionReport,
        now: int,
        updates: list[ExecutionUpdate],
        changes: list[BalanceChange],
    ) -> None:
        record.vol_exec = record.base_exec + report.cum_qty
        record.cost = record.base_cost + report.cum_cost
        record.fee = record.base_fee + report.cum_fee
        cost = report.last_qty * report.last_price
        fill = FillRecord(
            txid=report.trade_id,
            order_txid=record.txid,
            pair=record.pair,
            time_ns=now,
            side=record.side,
            order_type=record.order_type,
            price=report.last_price,
            qty=report.last_qty,
            cost=cost,
            fee=report.fee,
            maker=report.liquidity is LiquiditySide.MAKER,
            trade_id=next(self._trade_ids),
        )
        record.trades.append(fill.txid)
        self.ledger.fills.append(fill)
        updates.append(ExecutionUpdate.of("trade", record, now, fill))
        changes.extend(self._balance_changes(record, fill, now))
        if report.status is OrderStatus.FILLED:
            self._end(record, "closed", None, now)
            updates.append(ExecutionUpdate.of("filled", record, now))

    def _end(self, record: OrderRecord, status: str, reason: str | None, now: int) -> None:
        record.status = status
        record.reason = reason
        record.close_ns = now
        record.restoring = False
        self.ledger.closed(record)
        self.resting.closed(record.txid)

    def _with_balances(self, changes: list[BalanceChange]) -> list[BalanceChange]:
        """Each entry's balance after it: the engine settled the whole batch before we see it, so
        walk back from the account's totals now."""
        running: dict[str, Decimal] = {}
        out: list[BalanceChange] = []
        for change in reversed(changes):
            after = running.get(change.asset, self.account.total(change.asset))
            out.append(dataclasses.replace(change, balance=after))
            running[change.asset] = after - change.amount
        out.reverse()
        return out

    def _balance_changes(self, record: OrderRecord, fill: FillRecord, now: int) -> list[BalanceChange]:
        base, _, quote = record.pair.partition("/")
        buy = fill.side is Side.BUY
        quote_amount = -(fill.cost + fill.fee) if buy else fill.cost - fill.fee
        ledger_id = f"L{fill.txid[1:]}"  # one ledger entry per asset: suffix B(ase) / Q(uote)
        return [
            BalanceChange(
                base, fill.qty if buy else -fill.qty, fill.qty * 0, _ZERO, fill.txid, f"{ledger_id}B", now
            ),
            BalanceChange(quote, quote_amount, fill.fee, _ZERO, fill.txid, f"{ledger_id}Q", now),
        ]

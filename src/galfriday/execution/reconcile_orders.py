"""Settling one order: our record against Kraken's, through the order state machine.

Every change goes through ``OrderState`` (the machine the ExecutionHandler and the journal use),
built from the stored row and its stored fills, so reconciliation cannot make a transition the
rest of the system would refuse. For each order, in this order:

1. acknowledgement: a PENDING_NEW row found on Kraken becomes NEW with Kraken's txid;
2. fills: each of Kraken's fills the row lacks is recorded (``FillRepository.record``, once per
   trade id) — fills older than the window are read from when the order opened;
3. end: closed / canceled / expired on Kraken ends it here too;
4. the row is updated, *then* the events are published (``OrderAccepted``, ``OrderFilled``,
   ``OrderCanceled``/``OrderExpired``, ``OrderRejected``), so the portfolio and the handler
   catch up; the venue is told to follow orders still open (``OrderTracker``).

An order Kraken does not list in the window is looked up directly: by txid when we have one, by
``cl_ord_id`` when we do not. A PENDING_NEW that Kraken does not have — and that is older than
``pending_grace_s``, so it cannot be on its way any more — was never placed: it is REJECTED with a
local reason (the exchange refused nothing; the process stopped before sending).

An exchange order whose ``cl_ord_id`` is one of our rows, but not open in our records, is
*adopted*: the row follows Kraken (a row we had marked REJECTED or ended, while Kraken has it).
An exchange order no row knows is foreign: ``ReconcileOptions.foreign_orders`` decides.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Protocol

from galfriday.core.clock import Clock
from galfriday.core.errors import StorageError
from galfriday.core.events import (
    Event,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
)
from galfriday.core.instruments import Instrument
from galfriday.core.types import LiquiditySide, OrderStatus
from galfriday.core.venue import LOCAL_REJECTION_PREFIX
from galfriday.execution.order_state import OrderState
from galfriday.execution.reconcile_exchange import ExchangeView, KrakenAccount, fills_of
from galfriday.execution.reconcile_report import Findings, ReconcileOptions
from galfriday.kraken.orders_wire import KrakenOrder, KrakenTrade
from galfriday.kraken.rest_public import KrakenAPIError
from galfriday.kraken.venue_history import query_all
from galfriday.kraken.venue_orders import TrackedOrder
from galfriday.storage.db.records import FillRecord, NewFill, OrderRecord
from galfriday.storage.db.records_reconciliation import DiscrepancyKind as Kind
from galfriday.storage.db.repositories import FillRepository, OrderRepository
from galfriday.storage.recorders.write_behind import utc_datetime, utc_ns

logger = logging.getLogger(__name__)

Publish = Callable[[Event], None]
NOT_PLACED = f"{LOCAL_REJECTION_PREFIX}never reached Kraken (found by reconciliation after a restart)"


class OrderTracker(Protocol):
    """Who follows live orders from now on: ``KrakenVenue.track``."""

    def track(self, order: TrackedOrder) -> None: ...


def is_uuid(text: str | None) -> bool:
    if not text:
        return False
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class _Fill:
    trade: KrakenTrade
    event: OrderFilled


class OrderSettler:
    def __init__(
        self,
        client: KrakenAccount,
        orders: OrderRepository,
        fills: FillRepository,
        publish: Publish,
        clock: Clock,
        instruments: Mapping[str, Instrument],
        options: ReconcileOptions,
        tracker: OrderTracker | None,
    ) -> None:
        self._client = client
        self._orders = orders
        self._fills = fills
        self._publish = publish
        self._clock = clock
        self._instruments = dict(instruments)
        self._options = options
        self._tracker = tracker
        self._pairs = {
            name: symbol
            for symbol, inst in self._instruments.items()
            for name in (inst.rest_pair_id, inst.altname, symbol)
            if name
        }

    # -- entry points -----------------------------------------------------------------------------

    async def settle_open(
        self,
        record: OrderRecord,
        exchange: KrakenOrder | None,
        view: ExchangeView,
        findings: Findings,
        *,
        pending_grace_s: float | None = None,
    ) -> str | None:
        """An order open in our records; returns the txid it was matched with, if any."""
        if exchange is None:
            grace = self._options.pending_grace_s if pending_grace_s is None else pending_grace_s
            exchange = await self._look_up(record, findings, grace)
            if exchange is None:
                return None
        state = await self._state(record, reopen=False)
        await self._apply(record, state, exchange, view, findings, adopting=False)
        return exchange.txid

    async def settle_unmatched(self, exchange: KrakenOrder, view: ExchangeView, findings: Findings) -> None:
        """An exchange order no open row matched: ours but ended here, adopted, or foreign."""
        record = await self._orders.get_by_exchange_order_id(exchange.txid)
        if record is None and is_uuid(exchange.cl_ord_id):
            record = await self._orders.get_by_client_order_id(uuid.UUID(exchange.cl_ord_id))
        if record is None:
            await self._foreign(exchange, findings)
            return
        if record.status.is_open:
            return  # created after our records were read: the next run looks at it
        if record.exchange_order_id not in (None, exchange.txid):
            findings.add(
                Kind.ORPHAN_ADOPTED,
                f"not adopted: our order is already Kraken's {record.exchange_order_id}, yet {exchange.txid} "
                "carries the same client order id; cancel the duplicate on Kraken and reconcile again",
                resolved=False,
                client_order_id=str(record.client_order_id),
                exchange_order_id=exchange.txid,
                trading_pair=record.trading_pair,
                local=_row(record),
                exchange=_order(exchange),
            )
            return
        adopting = record.status is OrderStatus.REJECTED or exchange.is_open
        state = await self._state(record, reopen=adopting)
        if not adopting and _nothing_new(state, exchange, view):
            return
        await self._apply(record, state, exchange, view, findings, adopting=adopting)

    # -- looking an order up ----------------------------------------------------------------------

    async def _look_up(self, record: OrderRecord, findings: Findings, grace_s: float) -> KrakenOrder | None:
        cid = str(record.client_order_id)
        if record.exchange_order_id:
            found = await self._query(record.exchange_order_id)
            if found is None:
                findings.add(
                    Kind.MISSING_ON_EXCHANGE,
                    f"Kraken does not know {record.exchange_order_id}, which acknowledged this order; "
                    "check the account on Kraken and settle the row by hand",
                    resolved=False,
                    client_order_id=cid,
                    exchange_order_id=record.exchange_order_id,
                    trading_pair=record.trading_pair,
                    local=_row(record),
                )
            return found
        age = findings.now - record.created_at
        if age < timedelta(seconds=grace_s):
            return None  # AddOrder may still be on its way
        start = int(record.created_at.timestamp() - self._options.clock_skew_s)
        candidates = [
            *await self._client.open_orders(cl_ord_id=cid, trades=True),
            *(await self._client.closed_orders(cl_ord_id=cid, start=start, trades=True)).orders,
        ]
        if len(candidates) > 1:
            findings.add(
                Kind.INTENT_PLACED,
                f"{len(candidates)} Kraken orders carry this client order id; which one is ours is unclear",
                resolved=False,
                client_order_id=cid,
                trading_pair=record.trading_pair,
                local=_row(record),
                exchange=[_order(o) for o in candidates],
            )
            return None
        if candidates:
            return candidates[0]
        await self._not_placed(record, findings)
        return None

    async def _query(self, txid: str) -> KrakenOrder | None:
        try:
            found = await query_all(self._client, [txid])
        except KrakenAPIError as exc:
            if any(e.startswith("EOrder:Invalid order") for e in exc.errors):
                return None
            raise
        return found[0] if found else None

    async def _not_placed(self, record: OrderRecord, findings: Findings) -> None:
        state = await self._state(record, reopen=False)
        if not state.reject(NOT_PLACED).applied:
            return
        now = self._clock.timestamp_ns()
        await self._orders.update(
            record.client_order_id, status=state.status, at=utc_datetime(now), error_message=NOT_PLACED
        )
        self._publish(
            OrderRejected(
                ts_event=now,
                ts_init=now,
                correlation_id=state.correlation_id,
                client_order_id=state.client_order_id,
                pair=state.pair,
                reason=NOT_PLACED,
            )
        )
        findings.add(
            Kind.INTENT_NOT_PLACED,
            "marked REJECTED: Kraken has no order with this client order id and its deadline passed",
            resolved=True,
            client_order_id=state.client_order_id,
            trading_pair=record.trading_pair,
            local=_row(record),
        )

    # -- settling ---------------------------------------------------------------------------------

    async def _state(self, record: OrderRecord, *, reopen: bool) -> OrderState:
        """The machine as the row left it (``reopen``: as if just sent, to follow Kraken again)."""
        fills = await self._fills.list_by_order(record.order_pk)
        return OrderState(
            client_order_id=str(record.client_order_id),
            pair=record.trading_pair,
            side=record.side,
            order_type=record.order_type,
            qty=record.quantity_ordered,
            correlation_id=str(record.signal_id or ""),
            status=OrderStatus.PENDING_NEW if reopen else record.status,
            exchange_order_id=record.exchange_order_id or "",
            cum_qty=sum((f.quantity_filled for f in fills), Decimal(0)),
            reason="" if reopen else record.error_message or "",
            fill_ids={f.fill_id for f in fills if f.fill_id},
        )

    async def _apply(
        self,
        record: OrderRecord,
        state: OrderState,
        exchange: KrakenOrder,
        view: ExchangeView,
        findings: Findings,
        *,
        adopting: bool,
    ) -> None:
        before = state.status
        now = self._clock.timestamp_ns()
        acknowledged = before is OrderStatus.PENDING_NEW and state.accept(exchange.txid).applied
        fills = await self._new_fills(state, exchange, view, findings, now)
        end = None if exchange.is_open else self._end(state, exchange, now)
        recorded = [f for f in fills if await self._record_fill(record, f, findings)]
        if state.status is not record.status or acknowledged:
            was = f"adopted by reconciliation; it was {record.status} ({record.error_message or 'no error'})"
            await self._orders.update(
                record.client_order_id,
                status=state.status,
                at=utc_datetime(now),
                exchange_order_id=exchange.txid,
                error_message=state.reason or (was if adopting else None),
                submitted_at=utc_datetime(exchange.open_ns) if acknowledged else None,
            )
        if acknowledged:
            self._publish(self._accepted(state, exchange, now))
        for fill in recorded:
            self._publish(fill.event)
        if end is not None:
            self._publish(end)
        self._note(record, state, before, exchange, recorded, findings, adopting=adopting)
        if self._tracker is not None:
            self._tracker.track(
                TrackedOrder(
                    client_order_id=state.client_order_id,
                    pair=state.pair,
                    side=state.side,
                    qty=state.qty,
                    txid=exchange.txid,
                    correlation_id=state.correlation_id,
                    cum_qty=state.cum_qty,
                    fill_ids=frozenset(state.fill_ids),
                    is_open=exchange.is_open,
                )
            )

    async def _new_fills(
        self, state: OrderState, exchange: KrakenOrder, view: ExchangeView, findings: Findings, now: int
    ) -> list[_Fill]:
        trades = view.fills.get(exchange.txid, [])
        if set(exchange.trades) - state.fill_ids - {t.txid for t in trades}:
            trades = await fills_of(
                self._client,
                exchange,
                clock_skew_s=self._options.clock_skew_s,
                max_pages=self._options.max_pages,
            )
        out = []
        for trade in trades:
            if trade.txid in state.fill_ids:
                continue
            step = state.fill(trade.txid, trade.qty, exchange.txid)
            if step.refused:
                findings.add(
                    Kind.MISSING_FILL,
                    f"Kraken's fill could not be applied: {step.detail}",
                    resolved=False,
                    client_order_id=state.client_order_id,
                    exchange_order_id=exchange.txid,
                    trading_pair=state.pair,
                    exchange=_trade(trade),
                )
            elif step.applied:
                out.append(_Fill(trade, self._filled(state, exchange, trade, now)))
        return out

    def _end(self, state: OrderState, exchange: KrakenOrder, now: int) -> Event | None:
        status = exchange.order_status
        if status is OrderStatus.FILLED:
            return None  # the fill that completed it says so (leaves_qty 0)
        reason = exchange.reason or f"{status.lower()} on Kraken"
        if not state.end(status, reason).applied:
            return None
        common = {
            "ts_event": exchange.close_ns or now,
            "ts_init": now,
            "correlation_id": state.correlation_id,
            "client_order_id": state.client_order_id,
            "exchange_order_id": exchange.txid,
            "pair": state.pair,
        }
        if status is OrderStatus.EXPIRED:
            return OrderExpired(**common)
        return OrderCanceled(**common, reason=reason)

    async def _record_fill(self, record: OrderRecord, fill: _Fill, findings: Findings) -> bool:
        """True when the fill is new on disk (so it must be published); False if already there."""
        event = fill.event
        new = NewFill(
            fill_id=event.fill_id,
            order_pk=record.order_pk,
            exchange_order_id=event.exchange_order_id,
            trading_pair=event.pair,
            exchange=self._options.exchange,
            side=event.side,
            quantity_filled=event.qty,
            fill_price=event.price,
            commission=event.fee,
            commission_asset=event.fee_currency,
            liquidity_type=fill.trade.liquidity,
            filled_at=utc_datetime(event.ts_event),
        )
        try:
            return not (await self._fills.record(new)).already_recorded
        except StorageError as exc:
            stored: list[FillRecord] = await self._fills.list_by_order(record.order_pk)
            if any(f.fill_id == event.fill_id for f in stored):
                return False  # the journal recorded it meanwhile (the stream's exact fee)
            findings.add(
                Kind.MISSING_FILL,
                f"could not record the fill: {exc}",
                resolved=False,
                client_order_id=event.client_order_id,
                exchange_order_id=event.exchange_order_id,
                trading_pair=event.pair,
                exchange=_trade(fill.trade),
            )
            return False

    def _note(
        self,
        record: OrderRecord,
        state: OrderState,
        before: OrderStatus,
        exchange: KrakenOrder,
        recorded: list[_Fill],
        findings: Findings,
        *,
        adopting: bool,
    ) -> None:
        subject = {
            "client_order_id": state.client_order_id,
            "exchange_order_id": exchange.txid,
            "trading_pair": state.pair,
        }
        for fill in recorded:
            findings.add(
                Kind.MISSING_FILL,
                "recorded and published",
                resolved=True,
                exchange=_trade(fill.trade),
                **subject,
            )
        changed = f"{record.status} here, {exchange.status} on Kraken -> {state.status}"
        if adopting:
            findings.add(
                Kind.ORPHAN_ADOPTED,
                f"adopted ({changed})",
                resolved=True,
                local=_row(record),
                exchange=_order(exchange),
                **subject,
            )
        elif before is OrderStatus.PENDING_NEW:
            findings.add(
                Kind.INTENT_PLACED,
                f"acknowledged: it reached Kraken ({changed})",
                resolved=True,
                local=_row(record),
                exchange=_order(exchange),
                **subject,
            )
        if not adopting and before.is_open and not exchange.is_open:
            settled = state.is_terminal
            findings.add(
                Kind.CLOSED_ON_EXCHANGE,
                f"ended here too ({changed})"
                if settled
                else f"Kraken says it is over but only {state.cum_qty} of {state.qty} was found filled",
                resolved=settled,
                local=_row(record),
                exchange=_order(exchange),
                **subject,
            )

    # -- foreign orders ---------------------------------------------------------------------------

    async def _foreign(self, exchange: KrakenOrder, findings: Findings) -> None:
        subject = {
            "client_order_id": exchange.cl_ord_id,
            "exchange_order_id": exchange.txid,
            "trading_pair": self._pairs.get(exchange.pair, exchange.pair),
            "exchange": _order(exchange),
        }
        if exchange.is_open:
            if self._options.foreign_orders == "cancel":
                try:
                    await self._client.cancel_order(txid=exchange.txid)
                except Exception as exc:  # reported as unresolved; trading waits for a person
                    findings.add(Kind.ORPHAN_FOREIGN, f"cancel failed: {exc}", resolved=False, **subject)
                    return
                findings.add(
                    Kind.ORPHAN_FOREIGN,
                    "canceled on Kraken (foreign_orders=cancel)",
                    resolved=True,
                    **subject,
                )
                return
            findings.add(
                Kind.ORPHAN_FOREIGN,
                "left on Kraken (foreign_orders=leave): not ours; cancel it there or trade it from another "
                "account, the account must be this system's alone",
                resolved=False,
                **subject,
            )
        elif exchange.filled_qty > 0:
            findings.add(
                Kind.FOREIGN_FILL,
                f"{exchange.filled_qty} traded by an order that is not ours: balances moved without us",
                resolved=False,
                **subject,
            )

    # -- events -----------------------------------------------------------------------------------

    def _accepted(self, state: OrderState, exchange: KrakenOrder, now: int) -> OrderAccepted:
        return OrderAccepted(
            ts_event=exchange.open_ns or now,
            ts_init=now,
            correlation_id=state.correlation_id,
            client_order_id=state.client_order_id,
            exchange_order_id=exchange.txid,
            pair=state.pair,
        )

    def _filled(self, state: OrderState, exchange: KrakenOrder, trade: KrakenTrade, now: int) -> OrderFilled:
        instrument = self._instruments.get(state.pair)
        return OrderFilled(
            ts_event=trade.time_ns,
            ts_init=now,
            correlation_id=state.correlation_id,
            client_order_id=state.client_order_id,
            exchange_order_id=exchange.txid,
            fill_id=trade.txid,
            pair=state.pair,
            side=state.side,
            qty=trade.qty,
            price=trade.price,
            fee=trade.fee,
            fee_currency=instrument.quote if instrument is not None else state.pair.partition("/")[2],
            liquidity=trade.liquidity or LiquiditySide.TAKER,
            cum_qty=state.cum_qty,
            leaves_qty=state.leaves_qty,
        )


def _nothing_new(state: OrderState, exchange: KrakenOrder, view: ExchangeView) -> bool:
    """An order over on both sides with every fill recorded: the common case, skipped cheaply."""
    fills = {t.txid for t in view.fills.get(exchange.txid, [])} | set(exchange.trades)
    return not exchange.is_open and fills <= state.fill_ids


def _row(record: OrderRecord) -> dict[str, object]:
    return {
        "status": record.status,
        "exchange_order_id": record.exchange_order_id,
        "qty": record.quantity_ordered,
        "created_at": utc_ns(record.created_at),
    }


def _order(order: KrakenOrder) -> dict[str, object]:
    return {
        "txid": order.txid,
        "status": order.status,
        "pair": order.pair,
        "side": order.side,
        "qty": order.qty,
        "filled_qty": order.filled_qty,
        "cl_ord_id": order.cl_ord_id,
    }


def _trade(trade: KrakenTrade) -> dict[str, object]:
    return {
        "trade_id": trade.txid,
        "qty": trade.qty,
        "price": trade.price,
        "fee": trade.fee,
        "time_ns": trade.time_ns,
    }

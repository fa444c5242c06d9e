"""At start, before market data flows: hand what an earlier process left to the kernel again.

After reconciliation (live) the records are settled: the rows still open are exactly the orders
working on the exchange, and the portfolio holds what the account holds. For every pair with a
position or a working order this module reads the signal behind it (``PositionHistory``) and
- gives the ExecutionHandler a ``RestoredBracket`` (``execution.takeover``): its stop is watched,
  a missing take-profit is placed, its orders are canceled at shutdown, a HALT or an exit closes it;
- tells the StrategyArbitrator the position is open (time exit from the entry's first fill,
  reversal exits, no second entry on the pair);
- when the session comes back HALTED, applies the HALT to them now that someone is listening
  (working entries canceled; with ``close``, the positions closed).

A position too small to sell (below Kraken's minimums) is left alone: nobody could close it. Paper
sessions go through here too (their positions come back from the last snapshot, with no orders).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from galfriday.config.sections.signal import StrategySettings
from galfriday.core.clock import Clock
from galfriday.core.events import HaltTriggered
from galfriday.core.instruments import Instrument
from galfriday.core.types import OrderType, Side
from galfriday.execution import ExecutionHandler
from galfriday.execution.order_state import OrderState
from galfriday.execution.takeover import RestoredBracket
from galfriday.portfolio.manager import PortfolioManager
from galfriday.portfolio.order_tags import OrderPurpose
from galfriday.risk.halt import HaltCoordinator
from galfriday.storage.db.database import Database
from galfriday.storage.db.records import OrderRecord
from galfriday.storage.db.repositories import FillRepository, OrderRepository, SignalRepository
from galfriday.storage.recorders.positions import PairHistory, PositionHistory
from galfriday.storage.recorders.write_behind import utc_ns
from galfriday.strategy.arbitrator import StrategyArbitrator

logger = logging.getLogger(__name__)

ENTRY_SIDE = Side.BUY  # spot is long-only: every entry buys


async def take_over(
    database: Database,
    exchange: str,
    settings: StrategySettings,
    instruments: Mapping[str, Instrument],
    clock: Clock,
    portfolio: PortfolioManager,
    execution: ExecutionHandler,
    strategy: StrategyArbitrator,
    halt: HaltCoordinator,
) -> list[str]:
    """Take over every pair left with a position or a working order; returns those pairs."""
    sessions = database.sessions
    history = PositionHistory(sessions, exchange=exchange)
    open_rows: dict[str, list[OrderRecord]] = defaultdict(list)
    for row in await OrderRepository(sessions).list_open(exchange=exchange):
        open_rows[row.trading_pair].append(row)
    held = {p: q for p, q in portfolio.open_positions().items() if q > 0 and p in instruments}
    restored_positions: dict[str, Any] = {}
    taken: list[str] = []
    for pair in sorted(set(held) | set(open_rows)):
        qty = held.get(pair, Decimal(0))
        if not open_rows[pair] and _dust(instruments[pair], qty, portfolio):
            logger.warning(
                "%s: %s held from an earlier run is below the exchange minimums: left alone", pair, qty
            )
            continue
        restored = await _restore(
            instruments[pair], qty, open_rows[pair], history, settings, portfolio, sessions
        )
        if restored is None:
            continue
        restored, opened_at_ns = restored
        execution.take_over(restored)
        taken.append(pair)
        if qty > 0:
            restored_positions[pair] = {
                "sl": str(restored.sl),
                "tp": str(restored.tp),
                "opened_at_ns": opened_at_ns or clock.timestamp_ns(),
                "signal_id": restored.signal_id,
            }
    strategy.restore(restored_positions)
    if taken and halt.is_halted and halt.current is not None:
        record, now = halt.current, clock.timestamp_ns()
        execution.on_halt(
            HaltTriggered(
                ts_event=now,
                ts_init=now,
                trigger=record.trigger,
                reason=record.reason,
                behaviour=record.behaviour,
            )
        )
        halt.enforce()
    return taken


async def _restore(
    instrument: Instrument,
    held: Decimal,
    rows: list[OrderRecord],
    history: PositionHistory,
    settings: StrategySettings,
    portfolio: PortfolioManager,
    sessions: Any,
) -> tuple[RestoredBracket, int | None] | None:
    pair = instrument.symbol
    entry = await history.latest(pair, ENTRY_SIDE)
    signal_id = next((r.signal_id for r in rows if r.signal_id is not None), None)
    signal = None
    if signal_id is not None:
        signal = await SignalRepository(sessions).get(signal_id)
    elif entry is not None and held > 0:
        signal, signal_id = entry.signal, entry.entry.signal_id
    price = _entry_price(entry, portfolio, pair)
    if signal is not None:
        sl, tp, strategy_id = signal.proposed_sl_price, signal.proposed_tp_price, signal.strategy_id
    elif price is not None:  # the strategy's distances, on the exchange's grid
        sl = instrument.round_price(price * (1 - settings.sl_pct), ROUND_FLOOR)
        tp = instrument.round_price(price * (1 + settings.tp_pct), ROUND_CEILING)
        strategy_id = "restored"
    else:
        logger.critical(
            "%s: %s held and %d working order(s) from an earlier run, but neither their signal nor an "
            "entry price is known: nothing watches them; close them by hand",
            pair,
            held,
            len(rows),
        )
        return None
    fills = FillRepository(sessions)
    orders = [await _order_state(row, str(signal_id or ""), fills) for row in rows]
    entries = [o for o in orders if o.purpose == OrderPurpose.ENTRY]
    restored = RestoredBracket(
        pair=pair,
        signal_id=str(signal_id) if signal_id is not None else f"restored:{pair}",
        strategy_id=strategy_id,
        side=ENTRY_SIDE,
        qty=entries[0].qty if entries else held,
        sl=sl,
        tp=tp,
        held=held,
        orders=tuple(orders),
    )
    return restored, _opened_at(entry)


async def _order_state(row: OrderRecord, correlation_id: str, fills: FillRepository) -> OrderState:
    recorded = await fills.list_by_order(row.order_pk)
    return OrderState(
        client_order_id=str(row.client_order_id),
        pair=row.trading_pair,
        side=row.side,
        order_type=row.order_type,
        qty=row.quantity_ordered,
        purpose=_purpose(row).value,
        correlation_id=correlation_id,
        status=row.status,
        exchange_order_id=row.exchange_order_id or "",
        cum_qty=sum((f.quantity_filled for f in recorded), Decimal(0)),
        fill_ids={f.fill_id for f in recorded if f.fill_id},
    )


def _purpose(row: OrderRecord) -> OrderPurpose:
    """The orders table keeps no purpose; the bracket's shape gives it: entries buy, a resting sell
    is a take-profit leg, any other sell an exit."""
    if row.side == ENTRY_SIDE:
        return OrderPurpose.ENTRY
    return OrderPurpose.TAKE_PROFIT if row.order_type == OrderType.LIMIT else OrderPurpose.EXIT


def _entry_price(entry: PairHistory | None, portfolio: PortfolioManager, pair: str) -> Decimal | None:
    if entry is not None and (price := entry.average_entry_price(ENTRY_SIDE)) is not None:
        return price
    position = portfolio.ledger.positions.get(pair)
    return position.avg_price if position is not None and position.cost > 0 else None


def _opened_at(entry: PairHistory | None) -> int | None:
    fills = [] if entry is None else entry.entry_fills(ENTRY_SIDE)
    return utc_ns(fills[0].filled_at) if fills else None


def _dust(instrument: Instrument, qty: Decimal, portfolio: PortfolioManager) -> bool:
    if qty <= 0:
        return True
    position = portfolio.ledger.positions[instrument.symbol]
    price = portfolio.reference_price(instrument.symbol) or position.avg_price
    return qty < instrument.ordermin or (price > 0 and qty * price < instrument.costmin)

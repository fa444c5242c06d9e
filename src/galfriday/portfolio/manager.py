"""PortfolioManager: the ledger on the bus — fills in; positions, trades and snapshots out.

Consumes ``OrderFilled`` (books it), ``OrderCanceled``/``OrderExpired``/``OrderRejected`` (an
order that can no longer fill), ``SignalApproved`` (reserves cash for the entry),
``OrderBookUpdated``/``BarClosed`` (marks positions at the mid or close). Publishes
``PositionChanged`` after every fill, ``TradeClosed`` when a position returns to zero (exit reason
from the order tags, P&L net of the fees of both legs) and ``PortfolioSnapshotTaken`` every
``portfolio.snapshot_interval_s`` on a clock timer.

Handlers are plain synchronous functions: the same object runs on the SyncBus of a backtest and
the AsyncBus of a live session. It implements ``PortfolioView`` for the risk side.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from galfriday.config.sections.risk import PortfolioSettings
from galfriday.core.clock import NS_PER_S, Clock
from galfriday.core.events import (
    BarClosed,
    Event,
    OrderBookUpdated,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    PortfolioSnapshotTaken,
    PositionChanged,
    PositionSnapshot,
    SignalApproved,
    TimeEvent,
    TradeClosed,
    new_id,
)
from galfriday.core.instruments import Instrument
from galfriday.core.types import ExitReason, Side
from galfriday.portfolio.drawdown import Drawdowns, DrawdownTracker
from galfriday.portfolio.ledger import Ledger, LedgerError
from galfriday.portfolio.order_tags import OrderPurpose, OrderTag, OrderTagRegistry
from galfriday.portfolio.position import ZERO, FillEffect
from galfriday.portfolio.reservations import Reservation, Reservations
from galfriday.portfolio.state import STATE_VERSION, check_version, ledger_from_json, ledger_to_json
from galfriday.portfolio.trades import ClosedTrade, OpenTrade, open_trade_for

logger = logging.getLogger(__name__)

Publish = Callable[[Event], None]
SNAPSHOT_TIMER = "portfolio.snapshot"


class PortfolioManager:
    def __init__(
        self,
        settings: PortfolioSettings,
        instruments: Mapping[str, Instrument],
        clock: Clock,
        publish: Publish,
        *,
        order_tags: OrderTagRegistry | None = None,
        ledger: Ledger | None = None,
        retain_fill_ids: int = 10_000,
    ) -> None:
        self._settings = settings
        self._instruments = dict(instruments)
        self._clock = clock
        self._publish = publish
        self.order_tags = order_tags if order_tags is not None else OrderTagRegistry()
        quote = settings.quote_currency
        self.ledger = ledger or Ledger(quote, {quote: settings.initial_cash})
        if self.ledger.quote != settings.quote_currency:
            raise LedgerError(
                f"ledger is kept in {self.ledger.quote} but portfolio.quote_currency is "
                f"{settings.quote_currency}: restore a state written with the same quote currency"
            )
        self._trades: dict[str, OpenTrade] = {}
        self._reservations = Reservations()
        self._drawdown = DrawdownTracker(self.ledger.equity(), clock.timestamp_ns())
        self._recent_fills: dict[str, None] = {}  # insertion-ordered set of fill ids
        self._retain_fill_ids = retain_fill_ids
        self._approvals_seen = 0
        self._replaying = False

    # -- wiring ---------------------------------------------------------------------------------

    def attach(self, bus: Any) -> None:
        """Subscribe every handler (subscribe the portfolio before the HaltCoordinator, so on a
        SyncBus the coordinator reads marks and drawdowns this event already moved)."""
        bus.subscribe(
            OrderFilled, self.on_order_filled, name="portfolio.fill", critical=True, group="portfolio"
        )
        for ended in (OrderCanceled, OrderExpired, OrderRejected):
            bus.subscribe(
                ended,
                self.on_order_ended,
                name=f"portfolio.{ended.__name__}",
                critical=True,
                group="portfolio",
            )
        bus.subscribe(
            SignalApproved,
            self.on_signal_approved,
            name="portfolio.approved",
            critical=True,
            group="portfolio",
        )
        bus.subscribe(OrderBookUpdated, self.on_book, name="portfolio.book", group="portfolio")
        bus.subscribe(BarClosed, self.on_bar, name="portfolio.bar", group="portfolio")

    def start(self) -> None:
        """Start the periodic snapshot timer."""
        interval_ns = int(self._settings.snapshot_interval_s * NS_PER_S)
        self._clock.set_timer(SNAPSHOT_TIMER, interval_ns, self._on_snapshot_timer)

    def stop(self) -> None:
        self._clock.cancel_timer(SNAPSHOT_TIMER)

    # -- handlers -------------------------------------------------------------------------------

    def on_order_filled(self, event: OrderFilled) -> None:
        if event.fill_id in self._recent_fills:
            logger.warning("fill %s of order %s seen before; ignored", event.fill_id, event.client_order_id)
            return
        instrument = self._instruments.get(event.pair)
        if instrument is None:
            raise LedgerError(
                f"fill {event.fill_id} on unknown pair {event.pair}: add it to the instruments the "
                "portfolio is built with, then reconcile"
            )
        tag = self.order_tags.get(event.client_order_id)
        if tag is None:
            logger.warning(
                "fill %s of untagged order %s (%s): booked as a manual trade",
                event.fill_id,
                event.client_order_id,
                event.pair,
            )
        self._ensure_trade(event.pair, event.ts_event)
        effect = self.ledger.apply_fill(
            instrument, event.side, event.qty, event.price, event.fee, event.fee_currency
        )
        self._remember_fill(event.fill_id)
        closed = self._book_trade(event, effect, tag)
        if tag is not None and tag.purpose is OrderPurpose.ENTRY and tag.signal_id:
            self._reservations.filled(tag.signal_id, event.qty)
        if event.leaves_qty == 0:
            self._order_finished(event.client_order_id)
        self._equity_changed()
        if self._replaying:
            return
        position = self.ledger.positions[event.pair]
        now = self._clock.timestamp_ns()
        self._publish(
            PositionChanged(
                ts_event=event.ts_event,
                ts_init=now,
                correlation_id=event.correlation_id,
                pair=event.pair,
                qty=position.qty,
                avg_price=position.avg_price,
                realized_pnl=position.realized_pnl,
                unrealized_pnl=position.unrealized_pnl(self.ledger.marks.get(event.pair)),
            )
        )
        if closed is not None:
            self._publish(_trade_closed_event(closed, event, now))

    def on_order_ended(self, event: OrderCanceled | OrderExpired | OrderRejected) -> None:
        self._order_finished(event.client_order_id)

    def on_signal_approved(self, event: SignalApproved) -> None:
        self._approvals_seen += 1
        if event.side is not Side.BUY:
            return
        instrument = self._instruments.get(event.pair)
        price = event.entry_price or self.reference_price(event.pair) or event.tp_price
        fee_rate = instrument.taker_fee if instrument is not None else Decimal(0)
        self._reservations.reserve(event.signal_id, Reservation(event.pair, event.qty, price, fee_rate))

    def on_book(self, event: OrderBookUpdated) -> None:
        if event.bids and event.asks:
            self.ledger.mark(event.pair, (event.bids[0].price + event.asks[0].price) / 2)
            if self.ledger.position_qty(event.pair):
                self._equity_changed()

    def on_bar(self, event: BarClosed) -> None:
        # Runs on every bar of a backtest: the ledger's mark and position read, inlined.
        ledger, pair = self.ledger, event.pair
        ledger.marks[pair] = event.close
        position = ledger.positions.get(pair)
        if position is not None and position.qty:
            self._drawdown.update(ledger.equity(), self._clock.timestamp_ns())

    def _on_snapshot_timer(self, _: TimeEvent) -> None:
        self._publish(self.snapshot())

    # -- bookkeeping ----------------------------------------------------------------------------

    def _remember_fill(self, fill_id: str) -> None:
        self._recent_fills[fill_id] = None
        if len(self._recent_fills) > self._retain_fill_ids:
            del self._recent_fills[next(iter(self._recent_fills))]

    def _ensure_trade(self, pair: str, now_ns: int) -> None:
        """A position without a trade (restored from a snapshot) gets one, so its exit is recorded."""
        position = self.ledger.positions.get(pair)
        if position is None or not position.qty or pair in self._trades:
            return
        self._trades[pair] = OpenTrade(
            pair=pair,
            side=Side.BUY if position.qty > 0 else Side.SELL,
            signal_id=None,
            strategy_id="restored",
            entry_time_ns=now_ns,
            entry_qty=abs(position.qty),
            entry_value=abs(position.cost),
            fees=position.open_fees,
        )

    def _book_trade(self, event: OrderFilled, effect: FillEffect, tag: OrderTag | None) -> ClosedTrade | None:
        pair = event.pair
        trade = self._trades.get(pair)
        closed = None
        if trade is not None:
            trade.add(effect, event.price)
            if effect.qty_after == 0 or effect.flipped:
                reason = tag.closes_with if tag is not None else ExitReason.MANUAL_CLOSE
                closed = trade.close(event.ts_event, reason)
                del self._trades[pair]
        if effect.qty_after != 0 and pair not in self._trades:
            signal_id = tag.signal_id if tag is not None and tag.purpose is OrderPurpose.ENTRY else None
            strategy_id = tag.strategy_id if tag is not None else "manual"
            self._trades[pair] = open_trade_for(
                pair, effect, event.price, signal_id, strategy_id, event.ts_event
            )
        return closed

    def _order_finished(self, client_order_id: str) -> None:
        self.order_tags.mark_finished(client_order_id)
        tag = self.order_tags.get(client_order_id)
        if (
            tag is not None
            and tag.purpose is OrderPurpose.ENTRY
            and tag.signal_id
            and self.order_tags.entry_finished(tag.signal_id)
        ):
            self._reservations.release(tag.signal_id)

    def _equity_changed(self) -> None:
        self._drawdown.update(self.ledger.equity(), self._clock.timestamp_ns())

    def replay(self, fills: Iterable[OrderFilled]) -> None:
        """Book fills that happened after the state was saved, publishing nothing (their events
        were published, and their trades stored, before the restart)."""
        self._replaying = True
        try:
            for fill in fills:
                self.on_order_filled(fill)
        finally:
            self._replaying = False

    # -- PortfolioView --------------------------------------------------------------------------

    @property
    def quote_currency(self) -> str:
        return self.ledger.quote

    def equity(self) -> Decimal:
        return self.ledger.equity()

    @property
    def last_equity(self) -> Decimal:
        """``equity()`` as of the last change the manager booked (a fill) or marked (a price of a
        pair held): the figure the drawdowns are measured on, free to read. It equals ``equity()``
        as long as the ledger changes only through the manager's handlers — as in a backtest,
        whose equity curve reads it at every bar."""
        return self._drawdown.equity

    def free_balance(self) -> Decimal:
        return self.ledger.quote_cash - self._reservations.total_amount()

    def reference_price(self, pair: str) -> Decimal | None:
        return self.ledger.marks.get(pair)

    def position_qty(self, pair: str) -> Decimal:
        position = self.ledger.positions.get(pair)  # Ledger.position_qty, inlined: read every bar
        return ZERO if position is None else position.qty

    def exposure(self, pair: str) -> Decimal:
        return abs(self.ledger.market_value(pair)) + self._reservations.notional(pair)

    def total_exposure(self) -> Decimal:
        held = sum((abs(self.ledger.market_value(p)) for p in self.ledger.positions), ZERO)
        return held + self._reservations.notional()

    def drawdowns(self) -> Drawdowns:
        return self._drawdown.drawdowns(self._clock.timestamp_ns())

    def open_positions(self) -> dict[str, Decimal]:
        return self.ledger.open_positions()

    def open_entry_orders(self) -> list[tuple[str, str]]:
        return [
            (cid, reservation.pair)
            for signal_id, reservation in self._reservations.items()
            for cid in self.order_tags.open_entry_orders(signal_id)
        ]

    def approvals_seen(self) -> int:
        return self._approvals_seen

    def open_trades(self) -> dict[str, OpenTrade]:
        """Round trips in progress, by pair (what ``TradeClosed`` will report when they close)."""
        return dict(self._trades)

    # -- snapshots and state --------------------------------------------------------------------

    def snapshot(self) -> PortfolioSnapshotTaken:
        now = self._clock.timestamp_ns()
        equity = self.ledger.equity()
        drawdowns = self.drawdowns()
        positions = tuple(
            PositionSnapshot(
                pair=pair,
                qty=pos.qty,
                avg_price=pos.avg_price,
                market_price=self.ledger.marks.get(pair, pos.avg_price),
                unrealized_pnl=pos.unrealized_pnl(self.ledger.marks.get(pair)),
            )
            for pair, pos in self.ledger.positions.items()
            if pos.qty
        )
        return PortfolioSnapshotTaken(
            ts_event=now,
            ts_init=now,
            equity=equity,
            cash=self.ledger.quote_cash,
            available_balance=self.free_balance(),
            exposure_pct=float(self.total_exposure() / equity) if equity > 0 else 0.0,
            daily_drawdown_pct=float(drawdowns.daily),
            weekly_drawdown_pct=float(drawdowns.weekly),
            total_drawdown_pct=float(drawdowns.total),
            positions=positions,
        )

    def to_state(self) -> dict[str, Any]:
        """Everything a restart needs, as JSON-ready data (Decimals as strings)."""
        return {
            "version": STATE_VERSION,
            "ledger": ledger_to_json(self.ledger),
            "trades": {pair: trade.to_json() for pair, trade in self._trades.items()},
            "reservations": self._reservations.to_json(),
            "order_tags": self.order_tags.to_json(),
            "drawdown": self._drawdown.to_json(),
            "recent_fill_ids": list(self._recent_fills),
        }

    @classmethod
    def from_state(
        cls,
        state: dict[str, Any],
        settings: PortfolioSettings,
        instruments: Mapping[str, Instrument],
        clock: Clock,
        publish: Publish,
        *,
        order_tags: OrderTagRegistry | None = None,
    ) -> PortfolioManager:
        check_version(state)
        ledger = ledger_from_json(state["ledger"])
        manager = cls(settings, instruments, clock, publish, order_tags=order_tags, ledger=ledger)
        manager._trades = {pair: OpenTrade.from_json(t) for pair, t in state["trades"].items()}
        manager._reservations = Reservations.from_json(state["reservations"])
        manager.order_tags.restore(state["order_tags"])
        manager._drawdown = DrawdownTracker.from_json(state["drawdown"])
        manager._recent_fills = dict.fromkeys(state["recent_fill_ids"])
        return manager


def _trade_closed_event(trade: ClosedTrade, fill: OrderFilled, now: int) -> TradeClosed:
    return TradeClosed(
        ts_event=fill.ts_event,
        ts_init=now,
        correlation_id=fill.correlation_id,
        trade_id=new_id(),
        signal_id=trade.signal_id,
        pair=trade.pair,
        strategy_id=trade.strategy_id,
        side=trade.side,
        qty=trade.qty,
        avg_entry_price=trade.avg_entry_price,
        avg_exit_price=trade.avg_exit_price,
        entry_time_ns=trade.entry_time_ns,
        exit_time_ns=trade.exit_time_ns,
        fees=trade.fees,
        realized_pnl=trade.realized_pnl,
        realized_pnl_pct=trade.realized_pnl_pct,
        exit_reason=trade.exit_reason,
    )

"""A handler on a SyncBus + SimClock with every published event recorded, and report builders.

The tests play the venue: they publish the reports a venue would (accepted, fills, cancels) and
read what the handler published in answer.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from galfriday.config.sections.signal import StrategySettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import (
    BookLevel,
    CancelOrder,
    Event,
    MarketTradeReceived,
    OrderAccepted,
    OrderBookUpdated,
    OrderCanceled,
    OrderFilled,
    OrderRejected,
    SignalApproved,
    SubmitOrder,
    new_id,
)
from galfriday.core.types import LiquiditySide, OrderType, Side
from galfriday.execution import ExecutionHandler
from galfriday.portfolio.order_tags import OrderTag, OrderTagRegistry
from tests.unit.portfolio._kit import INSTRUMENTS, SECOND, T0, D, Recorder

__all__ = ["SECOND", "T0", "D", "Desk"]

_fill_ids = itertools.count(1)


class TracingTags(OrderTagRegistry):
    """Writes every registration into the trace the handler's publishes go to, to check their order."""

    def __init__(self, trace: list[tuple[str, str]]) -> None:
        super().__init__()
        self._trace = trace

    def register(self, client_order_id: str, tag: OrderTag) -> None:
        self._trace.append(("register", client_order_id))
        super().register(client_order_id, tag)


class Desk:
    """The handler under test, its bus, clock, tags and the events it published.

    ``trace`` lists, at the moment they happen, every tag registration and every order event or
    command the handler publishes, as (what, client order id).
    """

    def __init__(self, **strategy: Any) -> None:
        self.clock = SimClock(T0)
        self.bus = SyncBus()
        self.events = Recorder(self.bus)
        self.trace: list[tuple[str, str]] = []
        self.tags = TracingTags(self.trace)
        self.settings = StrategySettings(**strategy)
        self.handler = ExecutionHandler(self.settings, INSTRUMENTS, self.clock, self._publish, self.tags)
        self.handler.attach(self.bus)

    def _publish(self, event: Event) -> None:
        cid = getattr(event, "client_order_id", None)
        if cid is not None:
            self.trace.append((type(event).__name__, cid))
        self.bus.publish(event)

    # -- inputs ---------------------------------------------------------------------------------

    def approve(
        self,
        qty: str = "1000",
        *,
        entry: str | None = "0.50000",
        sl: str = "0.49000",
        tp: str = "0.52000",
        pair: str = "XRP/USD",
    ) -> SignalApproved:
        now = self.clock.timestamp_ns()
        event = SignalApproved(
            ts_event=now,
            ts_init=now,
            correlation_id="prediction-1",
            signal_id=new_id(),
            pair=pair,
            strategy_id="test",
            side=Side.BUY,
            entry_type=OrderType.LIMIT if entry is not None else OrderType.MARKET,
            qty=D(qty),
            entry_price=None if entry is None else D(entry),
            sl_price=D(sl),
            tp_price=D(tp),
        )
        self.bus.publish(event)
        return event

    def at(self, seconds: float) -> None:
        self.clock.advance_to(T0 + int(seconds * SECOND))

    def accept(self, command: SubmitOrder) -> None:
        now = self.clock.timestamp_ns()
        self.bus.publish(
            OrderAccepted(
                ts_event=now,
                ts_init=now,
                correlation_id=command.correlation_id,
                client_order_id=command.client_order_id,
                exchange_order_id=f"O-{command.client_order_id[-6:]}",
                pair=command.pair,
            )
        )

    def fill(
        self, command: SubmitOrder, qty: str, price: str | None = None, *, fill_id: str | None = None
    ) -> OrderFilled:
        order = self.handler.order(command.client_order_id)
        assert order is not None
        q = D(qty)
        now = self.clock.timestamp_ns()
        event = OrderFilled(
            ts_event=now,
            ts_init=now,
            correlation_id=command.correlation_id,
            client_order_id=command.client_order_id,
            exchange_order_id=f"O-{command.client_order_id[-6:]}",
            fill_id=fill_id or f"T-{next(_fill_ids)}",
            pair=command.pair,
            side=command.side,
            qty=q,
            price=D(price) if price is not None else (command.limit_price or D("0.50000")),
            fee=Decimal("0.01"),
            fee_currency="USD",
            liquidity=LiquiditySide.MAKER,
            cum_qty=order.cum_qty + q,
            leaves_qty=command.qty - order.cum_qty - q,
        )
        self.bus.publish(event)
        return event

    def canceled(self, command: SubmitOrder | CancelOrder, reason: str = "User requested") -> None:
        now = self.clock.timestamp_ns()
        self.bus.publish(
            OrderCanceled(
                ts_event=now,
                ts_init=now,
                correlation_id=command.correlation_id,
                client_order_id=command.client_order_id,
                exchange_order_id="O",
                pair=command.pair,
                reason=reason,
            )
        )

    def rejected(self, command: SubmitOrder, reason: str = "EOrder:Insufficient funds") -> None:
        now = self.clock.timestamp_ns()
        self.bus.publish(
            OrderRejected(
                ts_event=now,
                ts_init=now,
                correlation_id=command.correlation_id,
                client_order_id=command.client_order_id,
                pair=command.pair,
                reason=reason,
            )
        )

    def trade(self, price: str, pair: str = "XRP/USD") -> None:
        """A public trade print: the price the handler's stops watch."""
        now = self.clock.timestamp_ns()
        self.bus.publish(
            MarketTradeReceived(
                ts_event=now, ts_init=now, pair=pair, price=D(price), qty=D(100), side=Side.SELL
            )
        )

    def book(self, bid: str, ask: str, pair: str = "XRP/USD") -> None:
        now = self.clock.timestamp_ns()
        self.bus.publish(
            OrderBookUpdated(
                ts_event=now,
                ts_init=now,
                pair=pair,
                bids=(BookLevel(D(bid), D(1000)),),
                asks=(BookLevel(D(ask), D(1000)),),
            )
        )

    # -- outputs --------------------------------------------------------------------------------

    def submits(self, purpose: str | None = None) -> list[SubmitOrder]:
        return [s for s in self.events.of(SubmitOrder) if purpose in (None, s.purpose)]

    def last_submit(self, purpose: str) -> SubmitOrder:
        found = self.submits(purpose)
        assert found, f"no {purpose} order was submitted"
        return found[-1]

    def cancels(self) -> list[CancelOrder]:
        return self.events.of(CancelOrder)

    def entry(self, qty: str = "1000", **kw: Any) -> SubmitOrder:
        """Approve a signal and acknowledge its entry order."""
        self.approve(qty, **kw)
        command = self.last_submit("entry")
        self.accept(command)
        return command

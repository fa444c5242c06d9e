"""``SessionStatus``: what a session is doing, kept from bus events for the control API.

The system state, the orders still open at the venue, and the trades closed and P&L realised
this session are facts the bus already carries; collecting them here gives the dashboard and
``galfriday status`` one cheap read instead of queries into execution or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from galfriday.core.clock import NS_PER_S, Clock
from galfriday.core.events import (
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderSubmitted,
    SystemStateChanged,
    TradeClosed,
)
from galfriday.core.types import SystemState


@dataclass(frozen=True, slots=True)
class RuntimeStatus:
    mode: str
    system_state: SystemState
    config_hash: str
    started_at_ns: int
    uptime_s: float
    open_orders: int
    trades_closed: int
    realized_pnl_session: Decimal


class SessionStatus:
    def __init__(self, mode: str, config_hash: str, clock: Clock) -> None:
        self._mode = mode
        self._config_hash = config_hash
        self._clock = clock
        self._started_at_ns = clock.timestamp_ns()
        self._state = SystemState.STARTING
        self._open_orders: set[str] = set()
        self._trades_closed = 0
        self._realized = Decimal(0)

    def attach(self, bus: Any) -> None:
        bus.subscribe(SystemStateChanged, self.on_state, name="status.state")
        bus.subscribe(OrderSubmitted, self.on_submitted, name="status.order_submitted")
        bus.subscribe(OrderFilled, self.on_filled, name="status.order_filled")
        for ended in (OrderCanceled, OrderExpired, OrderRejected):
            bus.subscribe(ended, self.on_order_ended, name=f"status.{ended.__name__}")
        bus.subscribe(TradeClosed, self.on_trade_closed, name="status.trade_closed")

    def on_state(self, event: SystemStateChanged) -> None:
        self._state = event.current

    def on_submitted(self, event: OrderSubmitted) -> None:
        self._open_orders.add(event.client_order_id)

    def on_filled(self, event: OrderFilled) -> None:
        if event.leaves_qty == 0:
            self._open_orders.discard(event.client_order_id)

    def on_order_ended(self, event: OrderCanceled | OrderExpired | OrderRejected) -> None:
        self._open_orders.discard(event.client_order_id)

    def on_trade_closed(self, event: TradeClosed) -> None:
        self._trades_closed += 1
        self._realized += event.realized_pnl

    def snapshot(self) -> RuntimeStatus:
        return RuntimeStatus(
            mode=self._mode,
            system_state=self._state,
            config_hash=self._config_hash,
            started_at_ns=self._started_at_ns,
            uptime_s=max(0, self._clock.timestamp_ns() - self._started_at_ns) / NS_PER_S,
            open_orders=len(self._open_orders),
            trades_closed=self._trades_closed,
            realized_pnl_session=self._realized,
        )

"""SessionStatus: state, open orders and the session's realised P&L, kept from bus events."""

from __future__ import annotations

from decimal import Decimal

from galfriday.core.bus import SyncBus
from galfriday.core.clock import NS_PER_S, SimClock
from galfriday.core.events import OrderCanceled, OrderRejected, SystemStateChanged
from galfriday.core.types import SystemState
from galfriday.monitoring import SessionStatus
from tests.unit.monitoring._events import filled, submitted, trade_closed

T = 1_700_000_000 * NS_PER_S


def test_tracks_state_open_orders_and_realised_pnl() -> None:
    clock = SimClock(T)
    bus = SyncBus()
    status = SessionStatus("live", "abc123", clock)
    status.attach(bus)

    bus.publish(
        SystemStateChanged(ts_event=T, ts_init=T, previous=SystemState.STARTING, current=SystemState.RUNNING)
    )
    for order in ("o1", "o2", "o3", "o4"):
        bus.publish(submitted(order, T))
    bus.publish(filled("o1", T, leaves="50"))  # partial: still open
    bus.publish(filled("o2", T, leaves="0"))
    bus.publish(
        OrderCanceled(ts_event=T, ts_init=T, client_order_id="o3", exchange_order_id="X", pair="XRP/USD")
    )
    bus.publish(OrderRejected(ts_event=T, ts_init=T, client_order_id="o9", pair="XRP/USD", reason="unknown"))
    bus.publish(trade_closed("12.50", T))
    bus.publish(trade_closed("-2.25", T))
    clock.advance_to(T + 90 * NS_PER_S)

    snapshot = status.snapshot()
    assert (snapshot.mode, snapshot.config_hash, snapshot.system_state) == (
        "live",
        "abc123",
        SystemState.RUNNING,
    )
    assert snapshot.open_orders == 2
    assert snapshot.trades_closed == 2 and snapshot.realized_pnl_session == Decimal("10.25")
    assert (snapshot.started_at_ns, snapshot.uptime_s) == (T, 90.0)

"""The same SimulatedVenue for paper trading: an AsyncBus, a LiveClock and market data stamped now."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

from galfriday.core.bus import AsyncBus
from galfriday.core.clock import LiveClock
from galfriday.core.events import (
    BookLevel,
    CancelOrder,
    Event,
    OrderAccepted,
    OrderBookUpdated,
    OrderCanceled,
    OrderFilled,
    SubmitOrder,
)
from galfriday.core.instruments import default_instruments
from galfriday.core.types import OrderType, Side
from galfriday.sim.matching import Account, FillModelConfig
from galfriday.sim.venue import SimulatedVenue

D = Decimal
MS = 1_000_000


def live_book() -> OrderBookUpdated:
    now = time.time_ns()
    return OrderBookUpdated(
        ts_event=now,
        ts_init=now,
        pair="XRP/USD",
        bids=(BookLevel(D("0.49990"), D(1000)),),
        asks=(BookLevel(D("0.50010"), D(1000)),),
    )


async def wait_for(events: list[Event], kind: type, timeout_s: float = 2.0) -> Event:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [e for e in events if isinstance(e, kind)]
        if found:
            return found[-1]
        await asyncio.sleep(0.005)
    raise AssertionError(f"no {kind.__name__} within {timeout_s}s; got {[type(e).__name__ for e in events]}")


async def test_orders_fill_on_live_data_and_cancels_land_on_the_live_clock() -> None:
    bus = AsyncBus()
    clock = LiveClock()
    events: list[Event] = []
    bus.subscribe(Event, events.append)
    account = Account({"USD": "1000"})
    venue = SimulatedVenue(
        default_instruments(), account, clock, bus.publish, config=FillModelConfig(latency_ns=20 * MS), seed=1
    )
    venue.attach(bus)
    await bus.start()
    try:
        bus.publish(live_book())
        now = clock.timestamp_ns()
        bus.publish(
            SubmitOrder(
                ts_event=now,
                ts_init=now,
                correlation_id="s1",
                client_order_id="buy",
                pair="XRP/USD",
                side=Side.BUY,
                order_type=OrderType.MARKET,
                qty=D(100),
            )
        )
        await wait_for(events, OrderAccepted)
        await asyncio.sleep(0.03)  # the order reaches the engine 20 ms after it was sent
        bus.publish(live_book())
        fill = await wait_for(events, OrderFilled)
        assert (fill.qty, fill.price, fill.correlation_id) == (D(100), D("0.50010"), "s1")

        now = clock.timestamp_ns()
        bus.publish(
            SubmitOrder(
                ts_event=now,
                ts_init=now,
                correlation_id="s2",
                client_order_id="rest",
                pair="XRP/USD",
                side=Side.BUY,
                order_type=OrderType.LIMIT,
                qty=D(100),
                limit_price=D("0.40000"),
            )
        )
        bus.publish(
            CancelOrder(
                ts_event=now, ts_init=now, correlation_id="s2", client_order_id="rest", pair="XRP/USD"
            )
        )  # right behind its submit: one queue keeps them in order
        canceled = await wait_for(events, OrderCanceled)  # no market data needed: the clock wakes it
        assert canceled.client_order_id == "rest" and canceled.ts_event - now >= 20 * MS
        assert account.held("USD") == 0
    finally:
        clock.cancel_all()
        await bus.stop()

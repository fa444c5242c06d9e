"""The dead-man switch against the simulator's CancelAllOrdersAfter timer: kept armed while we
run, fired by Kraken when we freeze, disarmed on a clean shutdown that keeps orders, and a
refresh that keeps failing HALTs trading."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal

from galfriday.config.sections.risk import ExecutionSettings
from galfriday.core.types import OrderType, Side
from galfriday.kraken.dead_man import DeadManSwitch
from galfriday.kraken.orders_wire import AddOrderRequest
from galfriday.sim.server import ExchangeSimulator
from galfriday.sim.server.faults import parse_faults
from galfriday.storage.db.database import Database
from tests.integration.kraken._desk import ACCOUNT, INSTRUMENTS, LiveDesk
from tests.integration.sim.waiting import eventually

XRP = INSTRUMENTS["XRP/USD"]


class Freezable:
    """The switch's sleep: real until ``freeze()``, then it never wakes (a hung process)."""

    def __init__(self) -> None:
        self._frozen = asyncio.Event()

    def freeze(self) -> None:
        self._frozen.set()

    async def __call__(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        if self._frozen.is_set():
            await asyncio.Event().wait()


async def resting_orders(desk: LiveDesk, count: int) -> None:
    bid, _ = desk.best()
    for n in range(count):
        await desk.client.add_order(
            AddOrderRequest(
                instrument=XRP,
                side=Side.BUY,
                order_type=OrderType.LIMIT,
                qty=Decimal(40),
                limit_price=XRP.round_price(bid * Decimal("0.8") - n * XRP.tick),
            )
        )


def switch(desk: LiveDesk, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> DeadManSwitch:
    return DeadManSwitch.from_settings(
        desk.client, desk.halt, ExecutionSettings(dead_man_switch_s=1), sleep=sleep
    )


async def test_refreshed_while_running_and_fired_by_kraken_when_we_freeze(
    sim: ExchangeSimulator, database: Database
) -> None:
    desk = LiveDesk(sim, database)
    account = sim.exchange.accounts[ACCOUNT.api_key]
    sleep = Freezable()
    dead_man = switch(desk, sleep)
    try:
        await resting_orders(desk, 2)
        await dead_man.start()
        triggers = []
        for _ in range(5):  # 1.5 s: longer than the timeout, so only refreshing keeps the orders
            triggers.append(account.deadman_at_ns)
            await asyncio.sleep(0.3)
        assert triggers == sorted(triggers) and len(set(triggers)) >= 3  # the timer keeps moving
        assert len(await desk.client.open_orders()) == 2 and dead_man.refreshes >= 4
        sleep.freeze()
        await eventually(lambda: not any(r.is_open for r in account.ledger.by_txid.values()), within_s=3)
    finally:
        await dead_man.stop(keep_orders=False)
        await desk.client.close()
    assert {r.status for r in account.ledger.by_txid.values()} == {"canceled"}
    assert not desk.halt.is_halted


async def test_a_clean_shutdown_that_keeps_orders_disarms_the_switch(
    sim: ExchangeSimulator, database: Database
) -> None:
    desk = LiveDesk(sim, database)
    account = sim.exchange.accounts[ACCOUNT.api_key]
    dead_man = switch(desk)
    try:
        await resting_orders(desk, 1)
        await dead_man.start()
        assert account.deadman_at_ns is not None
        await dead_man.stop(keep_orders=True)
        await asyncio.sleep(1.3)
        assert account.deadman_at_ns is None and len(await desk.client.open_orders()) == 1
    finally:
        await desk.client.close()


async def test_a_refresh_that_keeps_failing_halts_trading(sim: ExchangeSimulator, database: Database) -> None:
    desk = LiveDesk(sim, database)
    dead_man = switch(desk)
    try:
        await dead_man.start()
        sim.exchange.faults.add(
            parse_faults(
                '{"kind": "rest_error", "method": "CancelAllOrdersAfter", "error": "EService:Unavailable"}'
            )
        )
        await eventually(lambda: desk.halt.is_halted, within_s=5)
    finally:
        await dead_man.stop(keep_orders=False)
        await desk.client.close()
    record = desk.halt.current
    assert record is not None and record.trigger == "dead_man_switch" and dead_man.consecutive_failures >= 3

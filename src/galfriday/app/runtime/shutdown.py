"""Graceful shutdown, in the order that loses nothing.

1. STOPPING (``SystemStateChanged``), and the entry gate closes: no new entry is approved;
2. market data stops and the monitoring timers with it (a stopping feed must not look stale and
   HALT the next start);
3. working orders: the execution handler is detached (it would re-place a canceled take-profit),
   then every open order is canceled and followed to its end — or, with
   ``execution.cancel_on_shutdown: false``, deliberately left working and listed in the log;
4. once the fills those cancels brought have reached the portfolio, the kernel's timers stop, a
   final portfolio snapshot is taken (what the next start restores from), STOPPED is published,
   and the bus delivers everything still queued;
5. the recorders, the order journal and the time-series writer write what they hold;
6. the venue, the control API, the latest-state store, then alerts and the log sinks close; the
   timers are cleared and the database is closed.

Every step tolerates a session that never got that far (a failed start stops through here too).
What could not be done is returned (and logged), so the caller can exit non-zero.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

from galfriday.core.crashpoints import crashpoint
from galfriday.core.events import CancelOrder, SystemStateChanged
from galfriday.core.types import SystemState
from galfriday.execution.order_state import OrderState

if TYPE_CHECKING:
    from galfriday.app.runtime.session import Session

logger = logging.getLogger(__name__)

SHUTDOWN_REASON = "shutdown"
BUS_DRAIN_TIMEOUT_S = 10.0


async def shut_down(session: Session, reason: str) -> list[str]:
    problems: list[str] = []
    bus, clock = session.bus, session.clock
    logger.warning("stopping: %s", reason)
    if bus is not None:
        _state(session, _current_state(session), SystemState.STOPPING, reason)
    if session.gate is not None:
        session.gate.close(f"the session is stopping ({reason})")
    if session.market_data is not None:
        await session.market_data.stop()
    if session.monitoring is not None:
        await session.monitoring.stop()
    problems += await _settle_orders(session)
    await _portfolio_caught_up(session, BUS_DRAIN_TIMEOUT_S)
    _stop_kernel_timers(session)
    if bus is not None:
        if session.portfolio is not None:
            bus.publish(session.portfolio.snapshot())
        _state(session, SystemState.STOPPING, SystemState.STOPPED, reason)
        await bus.stop(drain=True, timeout_s=BUS_DRAIN_TIMEOUT_S)
    timeout_s = session.options.flush_timeout_s
    if session.persistence is not None:
        problems += await session.persistence.close(timeout_s)
    if session.venue is not None:
        await session.venue.close(not session.settings.execution.cancel_on_shutdown)
    elif session.exchange_client is not None:  # a live start that failed before its venue opened
        await session.exchange_client.close()
    if session.api is not None:
        await session.api.stop()
    if session.latest_state is not None:
        await session.latest_state.close()
    if session.monitoring is not None:
        await session.monitoring.close(timeout_s)
    if clock is not None:
        clock.cancel_all()
    if session.started is not None:
        await session.started.database.close()
    for problem in problems:
        logger.error("shutdown incomplete: %s", problem)
    logger.info("session STOPPED%s", "" if not problems else f" with {len(problems)} problem(s)")
    return problems


def _current_state(session: Session) -> SystemState:
    if session.halt is not None and session.halt.is_halted:
        return SystemState.HALTED
    return SystemState.RUNNING if session.running else SystemState.STARTING


def _state(session: Session, previous: SystemState, current: SystemState, reason: str) -> None:
    assert session.bus is not None and session.clock is not None
    now = session.clock.timestamp_ns()
    logger.info("system %s -> %s: %s", previous, current, reason)
    session.bus.publish(
        SystemStateChanged(ts_event=now, ts_init=now, previous=previous, current=current, reason=reason)
    )


def detach(bus: Any, component: object) -> None:
    """Unsubscribe every handler that is a method of ``component``."""
    for sub in bus.subscriptions:
        if getattr(sub.handler, "__self__", None) is component:
            bus.unsubscribe(sub)


async def _settle_orders(session: Session) -> list[str]:
    execution, bus = session.execution, session.bus
    if execution is None or bus is None or session.clock is None:
        return []
    detach(bus, execution)
    working = [order for order in execution.orders() if order.is_open]
    if not working:
        return []
    if not session.settings.execution.cancel_on_shutdown:
        for order in working:
            logger.warning(
                "order %s (%s %s %s) kept working (execution.cancel_on_shutdown: false)",
                order.client_order_id,
                order.purpose,
                order.side,
                order.pair,
                extra={"correlation_id": order.correlation_id},
            )
        return []
    now = session.clock.timestamp_ns()
    for order in working:
        bus.publish(
            CancelOrder(
                ts_event=now,
                ts_init=now,
                correlation_id=order.correlation_id,
                client_order_id=order.client_order_id,
                pair=order.pair,
                reason=SHUTDOWN_REASON,
            )
        )
    still_open = await _wait_terminal(session, working, session.options.cancel_timeout_s)
    if still_open:
        ids = ", ".join(order.client_order_id for order in still_open)
        return [
            f"{len(still_open)} order(s) not confirmed canceled within "
            f"{session.options.cancel_timeout_s:g}s ({ids}): check them on the exchange"
        ]
    logger.info("%d working order(s) canceled for shutdown", len(working))
    return []


async def _wait_terminal(session: Session, orders: list[OrderState], timeout_s: float) -> list[OrderState]:
    """Orders whose end the journal has not recorded within ``timeout_s`` (an order whose intent
    the journal has not written yet counts as open: its cancel is queued behind it)."""
    assert session.persistence is not None
    journal = session.persistence.orders
    deadline = time.monotonic() + timeout_s
    while True:
        crashpoint("shutdown.cancel_wait")
        pending = [o for o in orders if (s := journal.state(o.client_order_id)) is None or s.is_open]
        if not pending or time.monotonic() > deadline:
            return pending
        await asyncio.sleep(0.02)


async def _portfolio_caught_up(session: Session, timeout_s: float) -> None:
    """The fills the cancels brought (recorded, then published) reach the portfolio before its
    final snapshot: that snapshot is what the next start and the operator read."""
    bus, persistence = session.bus, session.persistence
    if bus is None or persistence is None or session.portfolio is None:
        return
    deadline = time.monotonic() + timeout_s
    try:
        await asyncio.wait_for(persistence.orders.queue.flush(), timeout_s)
    except TimeoutError:
        return  # the database is stuck: the journal's close reports it
    while any(s["queue_depth"] for s in bus.stats() if str(s["name"]).startswith("portfolio.")):
        if time.monotonic() > deadline:
            return
        await asyncio.sleep(0.005)


def _stop_kernel_timers(session: Session) -> None:
    if session.features is not None:
        session.features.stop()
    if session.signals is not None and session.signals.predictions is not None:
        session.signals.predictions.stop()
    if session.portfolio is not None:
        session.portfolio.stop()

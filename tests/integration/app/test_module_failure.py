"""A critical handler that keeps failing HALTs trading (the bus's failure listener → the HALT
coordinator's module-failure trigger); the process keeps running and reports it."""

from __future__ import annotations

import asyncio

import httpx

from galfriday.core.events import OrderBookUpdated
from tests.integration.app.conftest import StartSession
from tests.integration.app.paper_kit import HEADERS, wait_for


async def test_a_critical_handler_failing_repeatedly_halts_and_the_session_keeps_running(
    start_session: StartSession,
) -> None:
    run = await start_session()
    session = run.session
    assert session.bus is not None and session.halt is not None and session.observers is not None

    def broken(_: OrderBookUpdated) -> None:
        raise RuntimeError("the book handler is broken")

    session.bus.subscribe(OrderBookUpdated, broken, name="test.broken-critical", critical=True)
    halt = session.halt
    await wait_for(lambda: halt.is_halted, 20, "the module-failure HALT")
    record = halt.current
    assert record is not None and record.trigger == "module_failure"
    assert "test.broken-critical" in record.reason and "RuntimeError" in record.reason

    freshness = session.observers.freshness
    await asyncio.sleep(1.0)  # still alive a second later: market data flows, the session serves
    assert max(freshness.ages_s().values()) < 60 and not run.serving.done()
    async with httpx.AsyncClient(base_url=session.api_url or "", headers=HEADERS) as api:
        status = (await api.get("/api/status")).json()
        assert status["system_state"] == "HALTED" and status["halt"]["trigger"] == "module_failure"
        ready = await api.get("/health/ready")
        assert ready.status_code == 503
        halt_health = next(c for c in ready.json()["components"] if c["name"] == "halt")
        assert halt_health["status"] == "FAILED"
        assert (await api.get("/health/live")).status_code == 200
    assert await run.stop() == 0

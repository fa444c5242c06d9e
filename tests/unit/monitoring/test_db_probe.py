"""DatabaseProbe: the readiness check reads the last background ping, never pings itself."""

from __future__ import annotations

import asyncio
import logging

import pytest

from galfriday.core.types import HealthStatus
from galfriday.monitoring import DatabaseProbe, engine_ping, register_secret


async def test_ok_then_failed_then_ok_again(caplog: pytest.LogCaptureFixture) -> None:
    outcome: dict[str, Exception | None] = {"error": None}

    async def ping() -> None:
        if outcome["error"] is not None:
            raise outcome["error"]

    probe = DatabaseProbe(ping, interval_s=10)
    assert probe.check().status is HealthStatus.FAILED  # nothing known yet

    await probe.probe_once()
    assert probe.check().status is HealthStatus.OK

    register_secret("hunter2-db-pass")
    outcome["error"] = OSError("connect to postgresql://gal:hunter2-db-pass@db:5432/x refused")
    with caplog.at_level(logging.INFO):
        await probe.probe_once()
    result = probe.check()
    assert result.status is HealthStatus.FAILED and "OSError" in result.detail
    assert "hunter2" not in result.detail and "hunter2" not in caplog.text

    outcome["error"] = None
    with caplog.at_level(logging.INFO):
        await probe.probe_once()
    assert probe.check().status is HealthStatus.OK
    assert "reachable again" in caplog.text


async def test_a_ping_that_hangs_times_out() -> None:
    async def ping() -> None:
        await asyncio.sleep(10)

    probe = DatabaseProbe(ping, timeout_s=0.01)
    await probe.probe_once()

    assert probe.check().status is HealthStatus.FAILED and "no answer" in probe.check().detail


async def test_an_overdue_probe_is_reported_stuck() -> None:
    now = [100.0]

    async def ping() -> None:
        return None

    probe = DatabaseProbe(ping, interval_s=10, timeout_s=5, now=lambda: now[0])
    await probe.probe_once()
    now[0] += 36

    assert probe.check().status is HealthStatus.FAILED and "stuck" in probe.check().detail


async def test_background_task_pings_a_real_sqlite_engine(sqlite_url: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(sqlite_url)
    probe = DatabaseProbe(engine_ping(engine), interval_s=0.01)
    probe.start()
    try:
        for _ in range(200):
            if probe.check().status is HealthStatus.OK:
                break
            await asyncio.sleep(0.01)
        assert probe.check().status is HealthStatus.OK
    finally:
        await probe.stop()
        await engine.dispose()

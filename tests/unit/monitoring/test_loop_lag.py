"""LoopLagMonitor: a handler that blocks the loop shows up as lag; the worst since the last read."""

from __future__ import annotations

import asyncio
import time

from galfriday.monitoring import LoopLagMonitor


async def test_a_blocking_call_is_measured_as_lag() -> None:
    monitor = LoopLagMonitor(interval_s=0.01)
    monitor.start()
    await asyncio.sleep(0.03)
    time.sleep(0.1)  # noqa: ASYNC251 - this IS the handler blocking the loop under test
    await asyncio.sleep(0.03)
    await monitor.stop()

    assert monitor.take_max_lag_s() >= 0.05
    assert monitor.take_max_lag_s() == 0.0  # taken: the next interval starts over


def test_keeps_the_worst_lag_between_reads() -> None:
    monitor = LoopLagMonitor()
    for lag in (0.01, 0.3, -0.001, 0.02):
        monitor.record(lag)

    assert monitor.last_lag_s == 0.02
    assert monitor.take_max_lag_s() == 0.3

"""Event-loop lag: how late the loop wakes a task that asked to sleep.

Every handler of the live bus, the WebSocket reader and the order path share one loop; a handler
that blocks (CPU-heavy work, a synchronous call) delays all of them, and market data queues up
unseen. A task that sleeps ``interval_s`` and measures how much longer it actually slept sees
exactly that delay. ``take_max_lag_s`` hands the worst lag since the previous call to the
periodic check, so a spike between two checks is not missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time


class LoopLagMonitor:
    def __init__(self, interval_s: float = 0.25) -> None:
        if interval_s <= 0:
            raise ValueError(f"interval_s must be positive, got {interval_s}")
        self.interval_s = interval_s
        self.last_lag_s = 0.0
        self._max_lag_s = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="monitoring:loop-lag")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        clock = time.perf_counter
        while True:
            start = clock()
            await asyncio.sleep(self.interval_s)
            self.record(clock() - start - self.interval_s)

    def record(self, lag_s: float) -> None:
        lag = max(0.0, lag_s)
        self.last_lag_s = lag
        self._max_lag_s = max(self._max_lag_s, lag)

    def take_max_lag_s(self) -> float:
        """The largest lag since the last call (then start over)."""
        lag, self._max_lag_s = self._max_lag_s, 0.0
        return lag

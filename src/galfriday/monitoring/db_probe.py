"""Database reachability for readiness: a background ping whose latest outcome the check reads.

Health checks must answer without I/O (they run on every ``/health/ready`` request and timer
tick), so the probe pings on its own task every ``interval_s`` with a timeout, and the check
reports the last outcome — FAILED when the ping failed, timed out or is overdue (a stuck probe
must not keep reporting the last success forever).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from galfriday.monitoring.health import CheckResult
from galfriday.monitoring.redaction import DEFAULT_REDACTOR

logger = logging.getLogger(__name__)

Ping = Callable[[], Awaitable[Any]]


def engine_ping(engine: Any) -> Ping:
    """A ping running ``SELECT 1`` on a SQLAlchemy ``AsyncEngine``."""
    import sqlalchemy as sa  # the probe itself needs no database library

    async def ping() -> None:
        async with engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))

    return ping


class DatabaseProbe:
    def __init__(
        self,
        ping: Ping,
        *,
        interval_s: float = 10.0,
        timeout_s: float = 5.0,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ping = ping
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self._now = now
        self._last_at: float | None = None
        self._last_error: str | None = None
        self._task: asyncio.Task[None] | None = None

    async def probe_once(self) -> None:
        """Ping now and remember the outcome (the error text is redacted: URLs carry passwords)."""
        try:
            await asyncio.wait_for(self._ping(), self.timeout_s)
        except TimeoutError:
            error: str | None = f"no answer within {self.timeout_s:.0f}s"
        except Exception as exc:
            error = DEFAULT_REDACTOR.redact_text(f"{type(exc).__name__}: {exc}".splitlines()[0])
        else:
            error = None
        if error != self._last_error:
            if error is None:
                logger.info("database reachable again")
            else:
                logger.error("database ping failed: %s", error)
        self._last_error = error
        self._last_at = self._now()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="monitoring:db-probe")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await self.probe_once()
            await asyncio.sleep(self.interval_s)

    def check(self) -> CheckResult:
        if self._last_at is None:
            return CheckResult.failed("not pinged yet")
        age = self._now() - self._last_at
        if self._last_error is not None:
            return CheckResult.failed(f"{self._last_error}; check the database server and database.url")
        if age > 3 * self.interval_s + self.timeout_s:
            return CheckResult.failed(f"last successful ping {age:.0f}s ago: the probe is stuck")
        return CheckResult.ok(f"pinged {age:.0f}s ago")

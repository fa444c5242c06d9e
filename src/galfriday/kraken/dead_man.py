"""Kraken's dead-man switch while trading: if this process stops, Kraken cancels our orders.

``CancelAllOrdersAfter(timeout)`` tells Kraken to cancel every open order of the account unless
it is called again within ``timeout`` seconds. ``DeadManSwitch`` arms it at start and re-arms it
every ``timeout / 3`` seconds, so two refreshes may fail before Kraken acts. A process that
freezes, crashes or loses its network therefore leaves no order working unattended for longer
than ``timeout`` (``execution.dead_man_switch_s``, 60 s by default; 0 turns the switch off).

A refresh that fails is an API error (``record_api_error``); ``max_failures`` failures in a row
HALT trading (trigger ``dead_man_switch``): Kraken is about to cancel every order, stops and
take-profits included, so no new exposure may be opened. The switch keeps trying after the HALT.

On a clean shutdown ``stop(keep_orders=True)`` disarms the switch (timeout 0) so resting orders
survive the restart, as ``execution.cancel_on_shutdown: false`` asks; with ``keep_orders=False``
it is left armed, and Kraken cancels whatever the shutdown did not within ``timeout`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from galfriday.config.sections.risk import ExecutionSettings
from galfriday.kraken.rest_private import CancelAfterStatus
from galfriday.kraken.venue_errors import HaltPort

logger = logging.getLogger(__name__)

TRIGGER = "dead_man_switch"


class CancelAfter(Protocol):
    """``KrakenPrivateClient.cancel_all_orders_after``."""

    async def cancel_all_orders_after(self, timeout_s: int) -> CancelAfterStatus: ...


class DeadManSwitch:
    def __init__(
        self,
        client: CancelAfter,
        halt: HaltPort,
        *,
        timeout_s: int = 60,
        max_failures: int = 3,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if timeout_s < 0 or max_failures < 1:
            raise ValueError("timeout_s must be >= 0 (0 = off) and max_failures >= 1")
        self.timeout_s = timeout_s
        self.interval_s = timeout_s / 3
        self._client = client
        self._halt = halt
        self._max_failures = max_failures
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self.refreshes = 0
        self.consecutive_failures = 0
        self.last_status: CancelAfterStatus | None = None

    @classmethod
    def from_settings(
        cls,
        client: CancelAfter,
        halt: HaltPort,
        settings: ExecutionSettings,
        *,
        max_failures: int = 3,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> DeadManSwitch:
        """Timeout from ``execution.dead_man_switch_s``."""
        return cls(client, halt, timeout_s=settings.dead_man_switch_s, max_failures=max_failures, sleep=sleep)

    @property
    def enabled(self) -> bool:
        return self.timeout_s > 0

    async def start(self) -> None:
        """Arm the switch, then keep it armed in the background.

        Raises what Kraken raised if the first arming fails: do not start trading without it.
        """
        if not self.enabled:
            logger.warning("dead-man switch is off (execution.dead_man_switch_s = 0): orders outlive a crash")
            return
        if self._task is not None:
            return
        self.last_status = await self._client.cancel_all_orders_after(self.timeout_s)
        self.refreshes += 1
        logger.info("dead-man switch armed: Kraken cancels all orders at %s", self.last_status.trigger_time)
        self._task = asyncio.get_running_loop().create_task(self._keep_armed(), name="kraken-dead-man")

    async def stop(self, *, keep_orders: bool) -> None:
        """Stop refreshing; ``keep_orders`` also disarms it so resting orders survive."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if keep_orders and self.enabled:
            self.last_status = await self._client.cancel_all_orders_after(0)
            logger.info("dead-man switch disarmed: open orders stay on Kraken")

    async def _keep_armed(self) -> None:
        while True:
            await self._sleep(self.interval_s)
            await self.refresh()

    async def refresh(self) -> None:
        """Re-arm once; a failure is counted, reported, and HALTs after ``max_failures`` in a row."""
        try:
            self.last_status = await self._client.cancel_all_orders_after(self.timeout_s)
        except Exception as exc:  # any failure leaves the timer running down: all are reported
            self.consecutive_failures += 1
            detail = f"dead-man switch refresh failed ({self.consecutive_failures} in a row): {exc}"
            logger.error("%s", detail)
            self._halt.record_api_error(detail)
            if self.consecutive_failures == self._max_failures:
                self._halt.fire(
                    TRIGGER,
                    f"{detail}; Kraken will cancel every open order (stops included) within "
                    f"{self.timeout_s}s of the last refresh",
                )
            return
        self.refreshes += 1
        self.consecutive_failures = 0

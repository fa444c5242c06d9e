"""``AlertManager``: the one notification manager, fanning alerts out to every enabled channel.

``submit`` (and the bus handlers that call it) only filters, de-duplicates and appends to each
channel's bounded queue: it never awaits, so alerting can never slow the trading path. Each
channel has its own task, so a slow SMTP server delays nothing on Slack, and its own failures:
a channel that raises is retried with exponential backoff (``max_attempts``), then given up on
and logged — it never affects the others.

Storm control, in order: alerts below ``min_severity`` are only logged; repeats of the same
alert within ``dedupe_window_s`` are counted and summarised once when the window ends; each
channel sends at most ``rate_limit_count`` per ``rate_limit_window_s`` and says how many it held
back. CRITICAL alerts (a HALT) bypass the rate limit — they must reach a person — though they
still use up its room and are still de-duplicated.

``submit`` must be called on the event loop's thread (bus handlers are).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from galfriday.core.events import AlertRaised, Event, HaltResumed, HaltTriggered, HealthChanged
from galfriday.core.types import AlertSeverity
from galfriday.monitoring.alerting.alert import Alert, alert_from_event, severity_rank
from galfriday.monitoring.alerting.channel import Channel, DeliveryError
from galfriday.monitoring.alerting.throttle import Deduplicator, RateLimiter
from galfriday.monitoring.redaction import DEFAULT_REDACTOR

logger = logging.getLogger(__name__)


@dataclass
class ChannelStats:
    sent: int = 0
    failed: int = 0  # given up after retries, or refused for good
    retries: int = 0
    rate_limited: int = 0
    dropped: int = 0  # the channel's queue was full
    queued: int = 0


class _Lane:
    """One channel, its queue, rate limiter, counters and worker task."""

    def __init__(self, channel: Channel, limiter: RateLimiter, queue_size: int) -> None:
        self.channel = channel
        self.limiter = limiter
        self.queue: deque[Alert] = deque()
        self.queue_size = queue_size
        self.wake = asyncio.Event()
        self.idle = asyncio.Event()
        self.idle.set()
        self.stats = ChannelStats()
        self.task: asyncio.Task[None] | None = None

    def put(self, alert: Alert) -> None:
        if len(self.queue) >= self.queue_size:
            self.stats.dropped += 1
            logger.error(
                "alert channel %s: queue full (%d), alert %r dropped",
                self.channel.name,
                self.queue_size,
                alert.title,
            )
            return
        self.queue.append(alert)
        self.idle.clear()
        self.wake.set()


class AlertManager:
    def __init__(
        self,
        channels: Sequence[Channel],
        *,
        min_severity: str = "WARNING",
        rate_limit_count: int = 10,
        rate_limit_window_s: float = 60.0,
        dedupe_window_s: float = 300.0,
        max_attempts: int = 4,
        backoff_initial_s: float = 1.0,
        backoff_max_s: float = 30.0,
        queue_size: int = 1000,
        now: Callable[[], float] = time.monotonic,
        now_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        names = [c.name for c in channels]
        if len(set(names)) != len(names):
            raise ValueError(f"alert channel names must be unique, got {names}: give each webhook a name")
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self._min_rank = severity_rank(min_severity)
        self._lanes = [
            _Lane(channel, RateLimiter(rate_limit_count, rate_limit_window_s, now), queue_size)
            for channel in channels
        ]
        self._dedupe = Deduplicator(dedupe_window_s, now)
        self._max_attempts = max_attempts
        self._backoff_initial_s = backoff_initial_s
        self._backoff_max_s = backoff_max_s
        self._now_ns = now_ns
        self._sweeper: asyncio.Task[None] | None = None
        self.below_min_severity = 0

    @property
    def channel_names(self) -> tuple[str, ...]:
        return tuple(lane.channel.name for lane in self._lanes)

    # -- intake (never blocks) ------------------------------------------------------------------

    def attach(self, bus: Any) -> None:
        for event_type in (AlertRaised, HaltTriggered, HaltResumed, HealthChanged):
            bus.subscribe(event_type, self.on_event, name=f"alerts.{event_type.__name__}")

    def on_event(self, event: Event) -> None:
        alert = alert_from_event(event)
        if alert is not None:
            self.submit(alert)

    def submit(self, alert: Alert) -> bool:
        """Queue ``alert`` for every channel; False when filtered or a repeat within the window."""
        if severity_rank(alert.severity) < self._min_rank:
            self.below_min_severity += 1
            logger.info("alert below alerting.min_severity, not sent: %s", alert.one_line())
            return False
        self._fan_out(self._dedupe.expired(self._now_ns()))
        if not self._dedupe.admit(alert):
            return False
        self._fan_out([alert])
        return True

    def _fan_out(self, alerts: Sequence[Alert]) -> None:
        for alert in alerts:
            for lane in self._lanes:
                lane.put(alert)

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start one worker per channel and the de-duplication sweeper (inside the running loop)."""
        loop = asyncio.get_running_loop()
        for lane in self._lanes:
            if lane.task is None:
                lane.task = loop.create_task(self._work(lane), name=f"alerts:{lane.channel.name}")
        if self._sweeper is None:
            self._sweeper = loop.create_task(self._sweep(), name="alerts:dedupe")

    async def drain(self, timeout_s: float = 30.0) -> bool:
        """Wait until every queued alert was delivered or given up on; False on timeout."""
        try:
            await asyncio.wait_for(asyncio.gather(*(lane.idle.wait() for lane in self._lanes)), timeout_s)
        except TimeoutError:
            return False
        return True

    async def aclose(self, timeout_s: float = 10.0) -> None:
        """Send the summaries still pending, deliver what is queued (up to ``timeout_s``), stop."""
        self._fan_out(self._dedupe.expired(self._now_ns(), close_all=True))
        if not await self.drain(timeout_s):
            left = sum(len(lane.queue) for lane in self._lanes)
            logger.error("alerting stopped with %d alert(s) undelivered after %.0fs", left, timeout_s)
        tasks = [lane.task for lane in self._lanes if lane.task is not None]
        if self._sweeper is not None:
            tasks.append(self._sweeper)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for lane in self._lanes:
            lane.task = None
            with contextlib.suppress(Exception):
                await lane.channel.close()
        self._sweeper = None

    def stats(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "below_min_severity": self.below_min_severity,
            "deduplicated": self._dedupe.suppressed,
        }
        for lane in self._lanes:
            lane.stats.queued = len(lane.queue)
            out[lane.channel.name] = asdict(lane.stats)
        return out

    # -- background -----------------------------------------------------------------------------

    async def _sweep(self) -> None:
        while True:
            wait = self._dedupe.seconds_until_next_expiry()
            await asyncio.sleep(1.0 if wait is None else min(1.0, wait + 0.001))
            self._fan_out(self._dedupe.expired(self._now_ns()))

    async def _work(self, lane: _Lane) -> None:
        while True:
            if not lane.queue:
                if lane.limiter.suppressed and lane.limiter.seconds_until_room() == 0:
                    await self._send_suppressed_summary(lane)
                    continue
                lane.idle.set()
                lane.wake.clear()
                timeout = lane.limiter.seconds_until_room() if lane.limiter.suppressed else None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lane.wake.wait(), timeout)
                continue
            alert = lane.queue.popleft()
            if alert.severity is AlertSeverity.CRITICAL:
                lane.limiter.record()
            elif not lane.limiter.try_acquire():
                lane.limiter.suppressed += 1
                lane.stats.rate_limited += 1
                logger.warning(
                    "alert channel %s: rate limit reached, not sent: %s", lane.channel.name, alert.title
                )
                continue
            if lane.limiter.suppressed:
                alert = alert.with_note(
                    f"{lane.limiter.suppressed} earlier alert(s) held back by the rate limit"
                )
                lane.limiter.suppressed = 0
            await self._deliver(lane, alert)

    async def _send_suppressed_summary(self, lane: _Lane) -> None:
        count, lane.limiter.suppressed = lane.limiter.suppressed, 0
        lane.limiter.record()
        summary = Alert(
            AlertSeverity.WARNING,
            "Alerts held back",
            f"{count} alert(s) were not sent on this channel because of the rate limit "
            f"({lane.limiter.count} per {lane.limiter.window_s:.0f}s); each is in the log",
            "monitoring.alerting",
            self._now_ns(),
        )
        await self._deliver(lane, summary)

    async def _deliver(self, lane: _Lane, alert: Alert) -> None:
        name = lane.channel.name
        delay = self._backoff_initial_s
        for attempt in range(1, self._max_attempts + 1):
            try:
                await lane.channel.send(alert)
            except DeliveryError as exc:
                if not exc.retryable or attempt == self._max_attempts:
                    lane.stats.failed += 1
                    logger.error(
                        "alert %r not delivered on %s after %d attempt(s): %s",
                        alert.title,
                        name,
                        attempt,
                        exc,
                    )
                    return
                wait = min(self._backoff_max_s, max(delay, exc.retry_after_s or 0.0))
                lane.stats.retries += 1
                logger.warning("alert channel %s failed (%s); retry %d in %.1fs", name, exc, attempt, wait)
                await asyncio.sleep(wait)
                delay *= 2
            except Exception as exc:  # a bug in one channel must not stop its worker or the others
                lane.stats.failed += 1
                detail = DEFAULT_REDACTOR.redact_text(str(exc).splitlines()[0] if str(exc) else "")
                logger.error(
                    "alert channel %s failed unexpectedly (%s: %s)", name, type(exc).__name__, detail
                )
                return
            else:
                lane.stats.sent += 1
                return

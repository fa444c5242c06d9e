"""Event buses: ``AsyncBus`` for live and paper trading, ``SyncBus`` for deterministic backtests.

Both route an event to the handlers subscribed to its class or any base class, in subscription
order, and isolate handler errors: a handler that raises is counted, logged with the event's
correlation id and reported to failure listeners; it never stops delivery to anyone else. A
critical subscriber that fails ``critical_failure_threshold`` times within the window is reported
as ``repeated`` so the HALT coordinator can stop trading (DESIGN §3).

Handlers of the trading kernel are plain functions, so the very same handlers run on both buses.
The async bus also accepts coroutine functions (for adapters such as persistence).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections import deque
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from galfriday.core.bus_stats import HandlerFailure, SubscriptionStats
from galfriday.core.context import correlation_id_var
from galfriday.core.errors import BusError

logger = logging.getLogger(__name__)

Handler = Callable[[Any], Any]
FailureListener = Callable[[HandlerFailure], None]


class Overflow(StrEnum):
    """What the async bus does when a subscriber's queue is full (publishing never blocks)."""

    DROP_NEWEST = "drop_newest"  # keep what is queued, drop the new event
    DROP_OLDEST = "drop_oldest"  # keep the freshest data (market data subscribers)


class Subscription:
    """One handler subscribed to one event class."""

    __slots__ = (
        "_failure_times",
        "critical",
        "event_type",
        "handler",
        "is_async",
        "mailbox",
        "name",
        "seq",
        "stats",
    )

    def __init__(self, event_type: type, handler: Handler, name: str, critical: bool, seq: int) -> None:
        self.event_type = event_type
        self.handler = handler
        self.name = name
        self.critical = critical
        self.seq = seq
        self.is_async = inspect.iscoroutinefunction(handler)
        self.stats = SubscriptionStats(name=name, event_type=event_type.__name__, critical=critical)
        self.mailbox: _Mailbox | None = None
        self._failure_times: deque[int] = deque()


class _Route:
    """The subscriptions that receive one concrete event class, and how many events took it.

    Counting publishes per route instead of calls per handler keeps the dispatch loop lean; the
    counts are credited to each subscription when routes are rebuilt or stats are read.
    """

    __slots__ = ("count", "subs")

    def __init__(self, subs: tuple[Subscription, ...]) -> None:
        self.subs = subs
        self.count = 0


class _BusCore:
    """Subscription registry, routing and failure accounting shared by both buses."""

    def __init__(
        self,
        *,
        critical_failure_threshold: int = 3,
        critical_failure_window_s: float = 60.0,
        now_ns: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        if critical_failure_threshold < 1:
            raise BusError("critical_failure_threshold must be >= 1")
        self._subs: list[Subscription] = []
        self._routes: dict[type, _Route] = {}
        self._seq = 0
        self._failure_listeners: list[FailureListener] = []
        self._threshold = critical_failure_threshold
        self._window_ns = int(critical_failure_window_s * 1e9)
        self._now_ns = now_ns

    # -- subscriptions --------------------------------------------------------------------------

    def _add(self, event_type: type, handler: Handler, name: str | None, critical: bool) -> Subscription:
        if not isinstance(event_type, type):
            raise BusError(f"subscribe needs an event class, got {event_type!r}")
        if not callable(handler):
            raise BusError(f"handler for {event_type.__name__} is not callable: {handler!r}")
        self._seq += 1
        label = name or getattr(handler, "__qualname__", repr(handler))
        sub = Subscription(event_type, handler, label, critical, self._seq)
        self._subs.append(sub)
        self._invalidate_routes()
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subs:
            self._subs.remove(sub)
            self._invalidate_routes()

    def _invalidate_routes(self) -> None:
        self._credit_route_counts()
        self._routes = {}

    def _credit_route_counts(self) -> None:
        for route in self._routes.values():
            if route.count:
                for sub in route.subs:
                    sub.stats.calls += route.count
                route.count = 0

    def _route(self, cls: type) -> _Route:
        mro = cls.__mro__
        route = _Route(tuple(s for s in self._subs if s.event_type in mro))
        self._routes[cls] = route
        return route

    @property
    def subscriptions(self) -> tuple[Subscription, ...]:
        return tuple(self._subs)

    # -- failures -------------------------------------------------------------------------------

    def add_failure_listener(self, listener: FailureListener) -> None:
        self._failure_listeners.append(listener)

    def _report_failure(
        self, sub: Subscription, event: Any, error: BaseException | None, reason: str
    ) -> None:
        correlation_id = getattr(event, "correlation_id", "")
        if error is not None:
            sub.stats.errors += 1
            logger.error(
                "handler %s failed on %s: %s",
                sub.name,
                type(event).__name__,
                error,
                exc_info=error,
                extra={"correlation_id": correlation_id, "subscription": sub.name},
            )
        repeated = False
        if sub.critical:
            now = self._now_ns()
            times = sub._failure_times
            times.append(now)
            while times and now - times[0] > self._window_ns:
                times.popleft()
            repeated = len(times) >= self._threshold
        failure = HandlerFailure(
            subscription=sub.name,
            event_type=type(event).__name__,
            critical=sub.critical,
            error=error,
            correlation_id=correlation_id,
            reason=reason,
            repeated=repeated,
        )
        for listener in self._failure_listeners:
            try:
                listener(failure)
            except Exception:
                logger.exception("bus failure listener %r raised", listener)

    # -- introspection --------------------------------------------------------------------------

    def stats(self) -> list[dict[str, object]]:
        self._credit_route_counts()
        for sub in self._subs:
            if sub.mailbox is not None:
                sub.stats.queue_depth = len(sub.mailbox.items)
        return [sub.stats.summary() for sub in self._subs]


class SyncBus(_BusCore):
    """Deterministic in-order dispatch for backtests.

    An event published from inside a handler is queued and delivered after the current event has
    reached every subscriber (breadth-first), which is the order the live bus's FIFO queues give.
    Handler latency is sampled on every ``latency_sample_every``-th event of a class (a power of
    two) to keep dispatch cheap. An event without a correlation id runs under the caller's.
    """

    def __init__(self, *, latency_sample_every: int = 64, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if latency_sample_every < 1 or latency_sample_every & (latency_sample_every - 1):
            raise BusError("latency_sample_every must be a power of two")
        self._pending: deque[Any] = deque()
        self._dispatching = False
        self._sample_mask = latency_sample_every - 1

    def subscribe(
        self,
        event_type: type,
        handler: Handler,
        *,
        name: str | None = None,
        critical: bool = False,
        group: str | None = None,  # accepted for parity with AsyncBus: delivery here is globally ordered
    ) -> Subscription:
        if inspect.iscoroutinefunction(handler):
            raise BusError(
                f"SyncBus cannot run coroutine handler {getattr(handler, '__qualname__', handler)}; "
                "trading handlers must be plain functions"
            )
        return self._add(event_type, handler, name, critical)

    def publish(self, event: Any) -> None:
        if self._dispatching:
            self._pending.append(event)
            return
        self._dispatching = True
        # The context var is touched only for events that carry a correlation id: a set/reset on
        # every market-data event would cost more than the handlers of a typical backtest.
        cid = event.correlation_id
        token = correlation_id_var.set(cid) if cid else None
        # The delivery below is repeated in _drain_pending on purpose: an extra method call per
        # event costs more than the rest of the dispatch for a single subscriber.
        try:
            cls = event.__class__
            route = self._routes.get(cls) or self._route(cls)
            route.count += 1
            if route.count & self._sample_mask:
                for sub in route.subs:
                    try:
                        sub.handler(event)
                    except Exception as exc:
                        self._report_failure(sub, event, exc, "exception")
            else:
                self._dispatch_timed(event, route.subs)
            if self._pending:
                self._drain_pending()
        finally:
            self._dispatching = False
            if token is not None:
                correlation_id_var.reset(token)

    def _drain_pending(self) -> None:
        """Deliver events published by handlers, in publish order (breadth-first)."""
        pending = self._pending
        try:
            while pending:
                event = pending.popleft()
                cid = event.correlation_id
                token = correlation_id_var.set(cid) if cid else None
                try:
                    cls = event.__class__
                    route = self._routes.get(cls) or self._route(cls)
                    route.count += 1
                    if route.count & self._sample_mask:
                        for sub in route.subs:
                            try:
                                sub.handler(event)
                            except Exception as exc:
                                self._report_failure(sub, event, exc, "exception")
                    else:
                        self._dispatch_timed(event, route.subs)
                finally:
                    if token is not None:
                        correlation_id_var.reset(token)
        finally:
            pending.clear()

    def _dispatch_timed(self, event: Any, subs: tuple[Subscription, ...]) -> None:
        clock = time.perf_counter_ns
        for sub in subs:
            start = clock()
            try:
                sub.handler(event)
            except Exception as exc:
                self._report_failure(sub, event, exc, "exception")
            sub.stats.handler_ns.add(clock() - start)


class _Mailbox:
    """A bounded FIFO of (subscription, event, publish time) feeding one task.

    Each subscription has its own mailbox unless it names a ``group``: the subscriptions of one
    group share a mailbox, so one component sees all its events in publish order (a fill is never
    overtaken by the cancel published after it, even though they are different event classes).
    """

    __slots__ = ("busy", "items", "maxsize", "name", "overflow", "space_waiters", "task", "users", "waiter")

    def __init__(self, name: str, maxsize: int, overflow: Overflow) -> None:
        self.name = name
        self.items: deque[tuple[Subscription, Any, int]] = deque()
        self.maxsize = maxsize
        self.overflow = overflow
        self.waiter: asyncio.Future[None] | None = None
        self.space_waiters: deque[asyncio.Future[None]] = deque()
        self.task: asyncio.Task[None] | None = None
        self.busy = False
        self.users = 0  # subscriptions delivering through this mailbox


class AsyncBus(_BusCore):
    """Live bus: bounded queues, each drained by its own task; ``publish`` never blocks or awaits.

    When a queue is full the subscription's overflow policy drops an event, counts it and, for a
    critical subscriber, reports a failure. Producers that may wait (e.g. a replay feeding a paper
    session) use ``await publish_wait(event)`` for backpressure instead of loss.
    """

    #: handlers run back to back at most this many times before the task yields to the loop
    YIELD_EVERY = 256

    def __init__(self, *, default_maxsize: int = 10_000, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if default_maxsize < 1:
            raise BusError("default_maxsize must be >= 1")
        self._default_maxsize = default_maxsize
        self._running = False
        self._mailboxes: dict[str, _Mailbox] = {}

    def subscribe(
        self,
        event_type: type,
        handler: Handler,
        *,
        name: str | None = None,
        critical: bool = False,
        maxsize: int | None = None,
        overflow: Overflow = Overflow.DROP_NEWEST,
        group: str | None = None,
    ) -> Subscription:
        """Subscribe ``handler``; subscriptions with the same ``group`` share one ordered queue
        (its size and overflow policy are set by the group's first subscription)."""
        size = maxsize or self._default_maxsize
        if size < 1:
            raise BusError("maxsize must be >= 1")
        sub = self._add(event_type, handler, name, critical)
        key = f"group:{group}" if group else f"sub:{sub.seq}"
        box = self._mailboxes.get(key)
        if box is None:
            box = self._mailboxes[key] = _Mailbox(group or sub.name, size, overflow)
            if self._running:
                self._start_task(box)
        box.users += 1
        sub.mailbox = box
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        super().unsubscribe(sub)
        box = sub.mailbox
        if box is None:
            return
        sub.mailbox = None  # events still queued for it are skipped
        box.users -= 1
        if box.users == 0:
            self._mailboxes = {k: b for k, b in self._mailboxes.items() if b is not box}
            if box.task is not None:
                box.task.cancel()

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._running:
            return
        self._running = True
        for box in self._mailboxes.values():
            self._start_task(box)

    def _start_task(self, box: _Mailbox) -> None:
        box.task = asyncio.get_running_loop().create_task(self._consume(box), name=f"bus:{box.name}")

    async def stop(self, *, drain: bool = True, timeout_s: float = 5.0) -> None:
        """Stop every task, first delivering what is queued unless ``drain`` is False."""
        boxes = list(self._mailboxes.values())
        if drain and self._running:
            deadline = time.monotonic() + timeout_s
            while any(b.items or b.busy for b in boxes):
                if time.monotonic() > deadline:
                    left = sum(len(b.items) for b in boxes)
                    logger.warning("bus stop: %d events still queued after %.1fs", left, timeout_s)
                    break
                await asyncio.sleep(0.001)
        self._running = False
        tasks = [b.task for b in boxes if b.task]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for box in boxes:
            box.task = None

    # -- publishing -----------------------------------------------------------------------------

    def publish(self, event: Any) -> None:
        cls = event.__class__
        route = self._routes.get(cls) or self._route(cls)
        stamp = time.perf_counter_ns()
        for sub in route.subs:
            box = sub.mailbox
            items = box.items  # type: ignore[union-attr]
            if len(items) >= box.maxsize and not self._overflow(sub, event):  # type: ignore[union-attr]
                continue
            items.append((sub, event, stamp))
            waiter = box.waiter  # type: ignore[union-attr]
            if waiter is not None:
                box.waiter = None  # type: ignore[union-attr]
                if not waiter.done():
                    waiter.set_result(None)

    def _overflow(self, sub: Subscription, event: Any) -> bool:
        """Apply the overflow policy; return True if the new event should still be queued."""
        box = sub.mailbox
        assert box is not None
        sub.stats.dropped += 1
        keep_new = box.overflow is Overflow.DROP_OLDEST
        if keep_new:
            box.items.popleft()
        if sub.critical:
            self._report_failure(sub, event, None, "overflow")
        return keep_new

    async def publish_wait(self, event: Any) -> None:
        """Publish, first waiting until every receiving queue has room (backpressure)."""
        cls = event.__class__
        route = self._routes.get(cls) or self._route(cls)
        loop = asyncio.get_running_loop()
        for sub in route.subs:
            box = sub.mailbox
            assert box is not None
            while len(box.items) >= box.maxsize:
                fut: asyncio.Future[None] = loop.create_future()
                box.space_waiters.append(fut)
                await fut
        self.publish(event)

    # -- consuming ------------------------------------------------------------------------------

    async def _consume(self, box: _Mailbox) -> None:
        items = box.items
        clock = time.perf_counter_ns
        loop = asyncio.get_running_loop()
        streak = 0
        while True:
            if not items:
                streak = 0
                box.waiter = loop.create_future()
                await box.waiter
                continue
            sub, event, published = items.popleft()
            if box.space_waiters:
                waiter = box.space_waiters.popleft()
                if not waiter.done():
                    waiter.set_result(None)
            if sub.mailbox is not box:  # unsubscribed while the event was queued
                continue
            stats = sub.stats
            box.busy = True
            start = clock()
            stats.delivery_ns.add(start - published)
            token = correlation_id_var.set(event.correlation_id)
            try:
                if sub.is_async:
                    await sub.handler(event)
                else:
                    sub.handler(event)
            except Exception as exc:
                self._report_failure(sub, event, exc, "exception")
            finally:
                correlation_id_var.reset(token)
                box.busy = False
            stats.handler_ns.add(clock() - start)
            stats.calls += 1
            streak += 1
            if streak >= self.YIELD_EVERY:
                streak = 0
                await asyncio.sleep(0)

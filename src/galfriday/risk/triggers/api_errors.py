"""HALT on a failing exchange API: ``max_consecutive_order_failures`` (3) rejected orders in a row,
or ``max_api_errors`` (5) errors of any kind within ``api_error_window_s`` (60 s).

Rejected orders arrive as ``OrderRejected``; other API errors (a failed balance query, a timeout)
are reported by the adapters through ``record_error``. An accepted or filled order ends a run of
rejections. After firing, the counts start over, so a HALT is not re-reported on every error.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from galfriday.config.sections.risk import RiskSettings
from galfriday.core.clock import NS_PER_S, Clock
from galfriday.core.events import OrderAccepted, OrderFilled, OrderRejected
from galfriday.core.venue import is_local_rejection
from galfriday.risk.triggers.base import Fire, Subscription


class ApiErrorTrigger:
    name = "api_errors"

    def __init__(self, settings: RiskSettings, clock: Clock, fire: Fire) -> None:
        self._max_consecutive = settings.max_consecutive_order_failures
        self._max_errors = settings.max_api_errors
        self._window_ns = int(settings.api_error_window_s * NS_PER_S)
        self._clock = clock
        self._fire = fire
        self.consecutive_failures = 0
        self._errors: deque[int] = deque()

    def subscriptions(self) -> Iterable[Subscription]:
        return (
            (OrderRejected, self.on_order_rejected),
            (OrderAccepted, self.on_order_ok),
            (OrderFilled, self.on_order_ok),
        )

    def on_order_rejected(self, event: OrderRejected) -> None:
        if is_local_rejection(event.reason):  # refused by us, not the exchange
            return
        self.consecutive_failures += 1
        if self.consecutive_failures >= self._max_consecutive:
            count, self.consecutive_failures = self.consecutive_failures, 0
            self._fire(
                "order_failures",
                f"{count} consecutive orders rejected (limit {self._max_consecutive}); "
                f"last: {event.pair} {event.client_order_id}: {event.reason}",
            )
            return
        self.record_error(f"order {event.client_order_id} rejected: {event.reason}")

    def on_order_ok(self, _: OrderAccepted | OrderFilled) -> None:
        self.consecutive_failures = 0

    def record_error(self, detail: str) -> None:
        now = self._clock.timestamp_ns()
        errors = self._errors
        errors.append(now)
        while errors and now - errors[0] > self._window_ns:
            errors.popleft()
        if len(errors) >= self._max_errors:
            count = len(errors)
            errors.clear()
            window_s = self._window_ns / NS_PER_S
            self._fire(
                self.name,
                f"{count} API errors within {window_s:g}s (limit {self._max_errors}); last: {detail}",
            )

    def reset(self) -> None:
        self.consecutive_failures = 0
        self._errors.clear()

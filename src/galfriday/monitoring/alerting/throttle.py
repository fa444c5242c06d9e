"""Per-channel rate limiting and de-duplication, the two ways an alert storm is kept readable.

``RateLimiter``: at most ``count`` alerts per sliding ``window_s``; what it refuses is counted so
the next delivery (or a summary) says how many were held back. ``Deduplicator``: the first alert
of a kind (same severity, source and title) goes out at once; repeats within ``window_s`` are
only counted, and when the window ends one summary carries the count.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

from galfriday.monitoring.alerting.alert import Alert


class RateLimiter:
    def __init__(self, count: int, window_s: float, now: Callable[[], float]) -> None:
        if count < 1 or window_s <= 0:
            raise ValueError(f"rate limit needs count >= 1 and window_s > 0, got {count}, {window_s}")
        self.count = count
        self.window_s = window_s
        self._now = now
        self._sent: deque[float] = deque()
        self.suppressed = 0

    def _trim(self, now: float) -> None:
        while self._sent and now - self._sent[0] >= self.window_s:
            self._sent.popleft()

    def try_acquire(self) -> bool:
        now = self._now()
        self._trim(now)
        if len(self._sent) >= self.count:
            return False
        self._sent.append(now)
        return True

    def record(self) -> None:
        """Count a delivery that bypassed the limit (it still uses up room in the window)."""
        self._sent.append(self._now())

    def seconds_until_room(self) -> float:
        now = self._now()
        self._trim(now)
        if len(self._sent) < self.count:
            return 0.0
        return max(0.0, self._sent[0] + self.window_s - now)


@dataclass
class _Window:
    first: Alert
    opened_at: float
    repeats: int = 0


class Deduplicator:
    def __init__(self, window_s: float, now: Callable[[], float]) -> None:
        if window_s < 0:
            raise ValueError(f"dedupe window must be >= 0, got {window_s}")
        self.window_s = window_s
        self._now = now
        self._open: dict[tuple[str, str, str], _Window] = {}
        self.suppressed = 0

    def admit(self, alert: Alert) -> bool:
        """True for the first alert of its kind in the window; repeats are counted and refused."""
        window = self._open.get(alert.key)
        if window is not None and self._now() - window.opened_at < self.window_s:
            window.repeats += 1
            self.suppressed += 1
            return False
        if self.window_s > 0:
            # Callers run ``expired`` first (AlertManager.submit does), so an ended window was already
            # reported; re-inserting the key keeps the dict in opening order.
            self._open.pop(alert.key, None)
            self._open[alert.key] = _Window(alert, self._now())
        return True

    def expired(self, now_ns: int, *, close_all: bool = False) -> list[Alert]:
        """Close the windows that ended (every window with ``close_all``, at shutdown); one summary
        alert for each that saw repeats. Windows are kept in the order they opened, so the scan
        stops at the first one still open: called on every submit, it costs only what it closes."""
        now = self._now()
        summaries: list[Alert] = []
        while self._open:
            key, window = next(iter(self._open.items()))
            if not close_all and now - window.opened_at < self.window_s:
                break
            del self._open[key]
            if window.repeats:
                note = f"repeated {window.repeats} more time(s) within {self.window_s:.0f}s"
                summaries.append(replace(window.first.with_note(note), repeats=window.repeats, ts_ns=now_ns))
        return summaries

    def seconds_until_next_expiry(self) -> float | None:
        if not self._open:
            return None
        first = next(iter(self._open.values()))
        return max(0.0, first.opened_at + self.window_s - self._now())

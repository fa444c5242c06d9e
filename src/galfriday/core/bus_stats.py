"""Counters and latency samples the buses keep per subscription (exported as metrics).

Latencies go into a fixed-size ring so memory stays bounded however long the process runs;
percentiles are computed on demand over the most recent samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RING_SIZE = 4096


class LatencyRing:
    """The most recent ``RING_SIZE`` samples in nanoseconds."""

    __slots__ = ("_count", "_samples")

    def __init__(self) -> None:
        self._samples: list[int] = [0] * RING_SIZE
        self._count = 0

    def add(self, ns: int) -> None:
        self._samples[self._count % RING_SIZE] = ns
        self._count += 1

    @property
    def count(self) -> int:
        return self._count

    def percentile(self, q: float) -> int | None:
        """Nearest-rank percentile (0 < q <= 100) over the retained samples, or None if empty."""
        n = min(self._count, RING_SIZE)
        if n == 0:
            return None
        ordered = sorted(self._samples[:n])
        rank = max(1, -(-int(q * n) // 100))  # ceil(q/100 * n)
        return ordered[min(rank, n) - 1]


@dataclass
class SubscriptionStats:
    """What one subscriber has done: calls, failures, drops and timing."""

    name: str
    event_type: str
    critical: bool
    calls: int = 0
    errors: int = 0
    dropped: int = 0
    queue_depth: int = 0
    handler_ns: LatencyRing = field(default_factory=LatencyRing)
    delivery_ns: LatencyRing = field(default_factory=LatencyRing)  # publish → handler start

    def summary(self) -> dict[str, object]:
        def us(v: int | None) -> float | None:
            return None if v is None else v / 1000

        return {
            "name": self.name,
            "event_type": self.event_type,
            "critical": self.critical,
            "calls": self.calls,
            "errors": self.errors,
            "dropped": self.dropped,
            "queue_depth": self.queue_depth,
            "handler_p50_us": us(self.handler_ns.percentile(50)),
            "handler_p99_us": us(self.handler_ns.percentile(99)),
            "delivery_p50_us": us(self.delivery_ns.percentile(50)),
            "delivery_p99_us": us(self.delivery_ns.percentile(99)),
        }


@dataclass(frozen=True)
class HandlerFailure:
    """Reported to failure listeners when a handler raises or a critical queue overflows."""

    subscription: str
    event_type: str
    critical: bool
    error: BaseException | None
    correlation_id: str
    reason: str  # "exception" | "overflow"
    repeated: bool  # True when a critical subscriber crossed its failure threshold

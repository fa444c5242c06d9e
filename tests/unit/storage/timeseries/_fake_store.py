"""An in-memory TimeSeriesStore that records batches and fails on demand, for writer tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from galfriday.storage.timeseries.point import Point


class FakeStore:
    def __init__(self) -> None:
        self.batches: list[list[Point]] = []
        self.failures: list[Exception] = []  # raised, one per write attempt, before succeeding
        self.down = False  # while True every write raises ``outage``
        self.outage: Exception | None = None
        self.attempts = 0
        self._attempt = asyncio.Condition()
        self.closed = False
        self.written = asyncio.Event()

    @property
    def points(self) -> list[Point]:
        return [p for batch in self.batches for p in batch]

    async def write(self, point: Point) -> None:
        await self.write_many([point])

    async def attempted(self, n: int) -> None:
        """Return once ``n`` write attempts have been made."""
        async with self._attempt:
            await self._attempt.wait_for(lambda: self.attempts >= n)

    async def write_many(self, points: Iterable[Point]) -> None:
        self.attempts += 1
        async with self._attempt:
            self._attempt.notify_all()
        await asyncio.sleep(0)
        if self.down and self.outage is not None:
            raise self.outage
        if self.failures:
            raise self.failures.pop(0)
        self.batches.append(list(points))
        self.written.set()

    async def query(self, measurement: str, **_: object) -> list[Point]:
        return [p for p in self.points if p.measurement == measurement]

    async def flush(self) -> None:
        pass

    async def close(self) -> None:
        self.closed = True

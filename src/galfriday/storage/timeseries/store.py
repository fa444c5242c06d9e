"""``TimeSeriesStore``: what the rest of the system may ask of a time-series backend.

Writes go straight to the backend and raise ``StoreUnavailableError`` (retry) or
``WriteRejectedError`` (don't); the trading path never calls a store directly but submits to a
``BufferedTimeSeriesWriter``, which is itself a ``TimeSeriesStore``. Reads return ``Point``s, so a
written point and the row read back compare equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from galfriday.storage.timeseries.point import Point


@runtime_checkable
class TimeSeriesStore(Protocol):
    async def write(self, point: Point) -> None:
        """Store one point."""

    async def write_many(self, points: Iterable[Point]) -> None:
        """Store a batch; points without fields (all NaN) are skipped."""

    async def query(
        self,
        measurement: str,
        *,
        tags: Mapping[str, str] | None = None,
        start_ns: int | None = None,
        end_ns: int | None = None,
        fields: Sequence[str] | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[Point]:
        """Rows of ``measurement`` whose tags equal ``tags``, with ``start_ns <= time < end_ns``.

        ``fields`` narrows the returned fields (rows without any of them are left out); rows come
        oldest first unless ``newest_first``; ``limit`` caps how many.
        """
        ...

    async def flush(self) -> None:
        """Make everything accepted so far durable in the backend."""

    async def close(self) -> None:
        """Flush, then release connections; the store cannot be used afterwards."""

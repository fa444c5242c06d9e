"""``BufferedTimeSeriesWriter``: keeps time-series writes off the trading path (DESIGN §3).

``submit(point)`` only appends to a bounded in-memory buffer and returns; it never awaits and
never raises for a full buffer (the point is dropped, counted, and logged at most once per
interval). A background task writes the buffer in batches of ``batch_size`` — as soon as a batch
is full, and at least every ``flush_interval_s``. A batch leaves the buffer only once the store
has acknowledged or definitively refused it: while the store is unavailable the same batch is
retried with exponential backoff and new points queue behind it (up to ``max_buffered``), so an
outage shorter than the buffer loses nothing. ``close()`` writes everything still buffered before
it returns, or raises after ``close_timeout_s`` saying how many points could not be written.

All methods must be called from the event loop's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from galfriday.core.errors import StorageError
from galfriday.storage.timeseries.errors import StoreUnavailableError, WriteRejectedError
from galfriday.storage.timeseries.point import Point
from galfriday.storage.timeseries.store import TimeSeriesStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WriterStats:
    """Counters since the writer was created (points unless said otherwise). Every submitted
    point is in exactly one of written, rejected, dropped, empty_skipped and buffered."""

    submitted: int
    written: int
    batches: int  # successful write requests
    retries: int  # failed write attempts that will be retried
    dropped: int  # refused by submit (buffer full, writer closed) or abandoned by a timed-out close
    rejected: int  # refused by the store (bad data, credentials): not retried
    buffered: int  # waiting to be written now
    empty_skipped: int  # points whose every field was NaN/inf
    non_finite_dropped: int  # NaN/inf fields left out of points (fields, not points)
    last_error: str | None


class _Throttle:
    """True at most once per ``interval_s``: keeps a persistent failure from flooding the log."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._last = -float("inf")

    def ready(self) -> bool:
        now = time.monotonic()
        if now - self._last >= self.interval_s:
            self._last = now
            return True
        return False


class BufferedTimeSeriesWriter:
    """A ``TimeSeriesStore`` that buffers writes and hands them to ``store`` in the background."""

    def __init__(
        self,
        store: TimeSeriesStore,
        *,
        batch_size: int = 5000,
        flush_interval_s: float = 1.0,
        max_buffered: int = 100_000,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 30.0,
        log_interval_s: float = 60.0,
        close_timeout_s: float = 30.0,
    ) -> None:
        if batch_size < 1 or max_buffered < batch_size or flush_interval_s <= 0:
            raise ValueError(
                f"need batch_size >= 1, max_buffered >= batch_size and flush_interval_s > 0; got "
                f"batch_size={batch_size}, max_buffered={max_buffered}, flush_interval_s={flush_interval_s}"
            )
        self.store = store
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.max_buffered = max_buffered
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.close_timeout_s = close_timeout_s
        self._buffer: deque[Point] = deque()
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()  # one writer of the buffer's head at a time
        self._task: asyncio.Task[None] | None = None
        self._backoff_cut = asyncio.Event()  # replaced by each retry's sleep
        self._closing = False
        self._closed = False
        self._drop_log = _Throttle(log_interval_s)
        self._retry_log = _Throttle(log_interval_s)
        self._drops_unlogged = 0
        self._submitted = self._written = self._batches = self._retries = 0
        self._dropped = self._rejected = self._empty = self._non_finite = 0
        self._last_error: str | None = None

    # -- the trading-path side ---------------------------------------------------------------

    def submit(self, point: Point) -> bool:
        """Queue ``point``; False when it was dropped (buffer full or writer closed). Never blocks."""
        self._submitted += 1
        self._non_finite += point.non_finite_dropped
        if not point.fields:
            self._empty += 1
            return False
        buffer = self._buffer
        if len(buffer) >= self.max_buffered or self._closed:
            self._drop()
            return False
        buffer.append(point)
        if len(buffer) >= self.batch_size:
            self._wake.set()
        return True

    def _drop(self) -> None:
        self._dropped += 1
        self._drops_unlogged += 1
        if self._drop_log.ready():
            reason = "the writer is closed" if self._closed else f"the buffer is full ({self.max_buffered})"
            logger.warning(
                "time-series writer dropped %d point(s) since the last report: %s; "
                "the store is down or slower than the data (last error: %s)",
                self._drops_unlogged,
                reason,
                self._last_error,
            )
            self._drops_unlogged = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background flusher (call from inside the running event loop)."""
        if self._task is None and not self._closed:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="timeseries-writer")

    async def __aenter__(self) -> BufferedTimeSeriesWriter:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Write everything buffered, then close the store. Raises StorageError with the number
        of points lost if the store stays unavailable for ``close_timeout_s``."""
        if self._closed:
            return
        self._closing = True
        self.start()
        self._wake.set()
        self._backoff_cut.set()
        assert self._task is not None
        try:
            await asyncio.wait_for(self._task, self.close_timeout_s)
        except TimeoutError:
            lost = len(self._buffer)
            self._buffer.clear()
            self._dropped += lost
            raise StorageError(
                f"time-series writer gave up after {self.close_timeout_s}s: {lost} point(s) not "
                f"written ({self._last_error}); check the store and raise close_timeout_s if it is slow"
            ) from None
        finally:
            self._closed = True
            await self.store.close()

    def stats(self) -> WriterStats:
        return WriterStats(
            submitted=self._submitted,
            written=self._written,
            batches=self._batches,
            retries=self._retries,
            dropped=self._dropped,
            rejected=self._rejected,
            buffered=len(self._buffer),
            empty_skipped=self._empty,
            non_finite_dropped=self._non_finite,
            last_error=self._last_error,
        )

    # -- TimeSeriesStore ---------------------------------------------------------------------

    async def write(self, point: Point) -> None:
        self.submit(point)

    async def write_many(self, points: Iterable[Point]) -> None:
        for p in points:
            self.submit(p)

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
        """Read from the store; points still in the buffer are not included."""
        return await self.store.query(
            measurement,
            tags=tags,
            start_ns=start_ns,
            end_ns=end_ns,
            fields=fields,
            limit=limit,
            newest_first=newest_first,
        )

    async def flush(self) -> None:
        """Write everything buffered now (retrying while the store is unavailable), then flush the store."""
        async with self._lock:
            await self._write_head(len(self._buffer))
        await self.store.flush()

    # -- background --------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            if not self._closing:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.flush_interval_s)
                self._wake.clear()
            async with self._lock:
                await self._write_head(len(self._buffer))
            if self._closing and not self._buffer:
                return

    async def _back_off(self, delay_s: float) -> None:
        """Sleep before a retry; ``close`` cuts the current sleep short so shutdown retries at once."""
        self._backoff_cut = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._backoff_cut.wait(), delay_s)

    async def _write_head(self, count: int) -> None:
        """Write the oldest ``count`` buffered points in batches; a batch leaves the buffer only
        when the store took it or refused it for good."""
        failures = 0
        while count > 0 and self._buffer:
            batch = list(itertools.islice(self._buffer, min(count, self.batch_size)))
            try:
                await self.store.write_many(batch)
            except StoreUnavailableError as exc:
                failures += 1
                self._retries += 1
                self._last_error = str(exc)
                delay = min(self.backoff_max_s, self.backoff_initial_s * 2 ** (failures - 1))
                if exc.retry_after_s is not None:
                    delay = max(delay, min(exc.retry_after_s, self.backoff_max_s))
                if self._retry_log.ready():
                    logger.warning(
                        "time-series store unavailable, retrying %d point(s) in %.1fs (%d buffered): %s",
                        len(batch),
                        delay,
                        len(self._buffer),
                        exc,
                    )
                await self._back_off(delay)
                continue
            except WriteRejectedError as exc:
                refused = len(batch) if exc.points_rejected is None else min(exc.points_rejected, len(batch))
                self._rejected += refused
                self._written += len(batch) - refused
                self._last_error = str(exc)
                logger.error("time-series store refused %d of %d point(s): %s", refused, len(batch), exc)
            except Exception as exc:  # a bug would repeat on every retry: drop the batch, keep going
                self._rejected += len(batch)
                self._last_error = repr(exc)
                logger.exception("time-series write of %d point(s) failed unexpectedly", len(batch))
            else:
                if failures:
                    logger.info("time-series store reachable again after %d failed attempt(s)", failures)
                failures = 0
                self._written += len(batch)
                self._batches += 1
            for _ in range(len(batch)):
                self._buffer.popleft()
            count -= len(batch)

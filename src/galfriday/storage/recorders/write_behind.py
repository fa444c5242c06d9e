"""Write-behind for the trading core's persistence adapters (signals, snapshots, trades, HALTs).

Trading handlers must never await the database (DESIGN §3), so adapters hand each write to a
``WriteBehind``: ``submit`` appends a job and returns at once; one background task runs the jobs
in submission order — the order that makes "proposed, then approved" and "halted, then resumed"
land in that order. A job whose database is unreachable is retried with backoff until it succeeds
or the queue is closed (losing a HALT record would let a restart trade again); a job the database
refuses for good (a constraint, a bug) is logged and dropped so it cannot block the ones behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import DBAPIError, OperationalError

from galfriday.core.errors import StorageError

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utc_datetime(ts_ns: int) -> datetime:
    """Event nanoseconds as an aware UTC datetime (microsecond precision, as the columns keep)."""
    return _EPOCH + timedelta(microseconds=ts_ns // 1000)


def utc_ns(moment: datetime) -> int:
    """An aware datetime as nanoseconds since the epoch (the inverse of ``utc_datetime``)."""
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1000


def as_uuid(value: str | None) -> uuid.UUID | None:
    """An event id as a UUID for a UUID column; None when it is absent or not a UUID."""
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _transient(exc: BaseException) -> bool:
    """Whether waiting can help: the database is unreachable, not refusing the data."""
    cause = exc.__cause__
    if isinstance(cause, OperationalError | OSError):
        return True
    return isinstance(cause, DBAPIError) and cause.connection_invalidated


class WriteBehind:
    def __init__(self, name: str, *, retry_initial_s: float = 0.1, retry_max_s: float = 5.0) -> None:
        self.name = name
        self._jobs: deque[Job] = deque()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._retry_initial_s = retry_initial_s
        self._retry_max_s = retry_max_s
        self.written = 0
        self.failed = 0

    @property
    def pending(self) -> int:
        return len(self._jobs)

    def submit(self, job: Job) -> None:
        """Queue ``job``; never blocks, never raises. Runs once ``start`` (or ``flush``) is called."""
        self._jobs.append(job)
        self._idle.clear()
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"write-behind:{self.name}")

    async def flush(self) -> None:
        """Wait until every job submitted so far has run."""
        self.start()
        await self._idle.wait()

    async def close(self, timeout_s: float = 10.0) -> None:
        """Run what is queued (up to ``timeout_s``), then stop; raises StorageError if jobs remain."""
        try:
            await asyncio.wait_for(self.flush(), timeout_s)
        except TimeoutError:
            raise StorageError(
                f"{self.name}: {len(self._jobs)} write(s) not persisted after {timeout_s}s; "
                "the database is unreachable: check it, then reconcile from the exchange and logs"
            ) from None
        finally:
            if self._task is not None:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
                self._task = None

    async def _run(self) -> None:
        while True:
            if not self._jobs:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            await self._run_one(self._jobs[0])
            self._jobs.popleft()

    async def _run_one(self, job: Job) -> None:
        delay = self._retry_initial_s
        while True:
            try:
                await job()
            except StorageError as exc:
                if not _transient(exc):
                    self.failed += 1
                    logger.error("%s: write refused, dropped: %s", self.name, exc)
                    return
                logger.warning("%s: database unavailable, retrying in %.1fs: %s", self.name, delay, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_max_s)
            except Exception:
                self.failed += 1
                logger.exception("%s: write failed unexpectedly, dropped", self.name)
                return
            else:
                self.written += 1
                return

"""Log sinks beside the file and console: ``system_logs`` rows and per-level counts over time.

Both are ``logging.Handler``s protected like every Gal-Friday sink: the ``RedactionFilter`` runs
on each record before the handler sees it, and stored text is masked for registered secrets once
more.

``SystemLogSink`` persists records next to the trading record. ``emit`` only converts the record
and appends it to a bounded buffer (any thread, never blocks, never waits for the database); a
task on the event loop writes batches through a ``WriteBehind`` (which retries while the database
is unreachable). When the buffer is full new records are dropped and counted. Records logged
while the sink itself writes (the database driver, the write-behind's retry warnings) are not
stored, so a database outage cannot feed itself.

``LogCountSink`` counts records by level and submits one ``system_metrics`` point per interval,
so a dashboard can graph errors per minute without reading the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import socket
import sys
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from galfriday.core.clock import NS_PER_S, Clock
from galfriday.core.errors import StorageError
from galfriday.core.types import LogLevel
from galfriday.monitoring.log_record import EXC_TYPE_ATTR, correlation_id_of, json_extras_of, safe_message
from galfriday.monitoring.log_redaction import RedactionFilter
from galfriday.monitoring.redaction import DEFAULT_REDACTOR, Redactor
from galfriday.storage.db.records import LogEntry
from galfriday.storage.recorders.write_behind import WriteBehind, as_uuid
from galfriday.storage.timeseries.point import Point
from galfriday.storage.timeseries.schema import measurement

_in_sink_write: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "galfriday_log_sink_write", default=False
)

SOURCE_MODULE_MAX = 64  # system_logs.source_module is VARCHAR(64)
TRADING_PAIR_MAX = 16  # system_logs.trading_pair is VARCHAR(16)


class LogEntryWriter(Protocol):
    """What ``SystemLogRepository`` offers the sink."""

    def insert_many(self, entries: Sequence[LogEntry]) -> Awaitable[int]: ...


def level_of(levelno: int) -> LogLevel:
    """The stored level of a record; custom levels fall into the standard level below them."""
    for number, level in (
        (logging.CRITICAL, LogLevel.CRITICAL),
        (logging.ERROR, LogLevel.ERROR),
        (logging.WARNING, LogLevel.WARNING),
        (logging.INFO, LogLevel.INFO),
    ):
        if levelno >= number:
            return level
    return LogLevel.DEBUG


def to_log_entry(record: logging.LogRecord, redactor: Redactor = DEFAULT_REDACTOR) -> LogEntry:
    """A ``system_logs`` row from a record the redaction filter has already cleaned."""
    extras = json_extras_of(record)
    pair = extras.pop("trading_pair", None) or extras.pop("pair", None)
    signal_id = extras.pop("signal_id", None)
    order_pk = extras.pop("order_pk", None)
    correlation_id = correlation_id_of(record)
    if correlation_id:
        extras["correlation_id"] = correlation_id
    exc_type = record.__dict__.get(EXC_TYPE_ATTR)
    return LogEntry(
        log_timestamp=datetime.fromtimestamp(record.created, UTC),
        source_module=record.name[:SOURCE_MODULE_MAX],
        log_level=level_of(record.levelno),
        message=redactor.mask_secrets(safe_message(record)),
        trading_pair=pair if isinstance(pair, str) and len(pair) <= TRADING_PAIR_MAX else None,
        signal_id=as_uuid(signal_id) if isinstance(signal_id, str) else None,
        order_pk=order_pk if isinstance(order_pk, int) and not isinstance(order_pk, bool) else None,
        exception_type=str(exc_type) if exc_type else None,
        stack_trace=redactor.mask_secrets(record.exc_text) if record.exc_text else None,
        context=extras or None,
    )


class SystemLogSink(logging.Handler):
    def __init__(
        self,
        repository: LogEntryWriter,
        *,
        level: int = logging.INFO,
        batch_size: int = 200,
        flush_interval_s: float = 1.0,
        max_buffered: int = 10_000,
        exclude_loggers: tuple[str, ...] = ("sqlalchemy", "aiosqlite", "asyncpg"),
        redactor: Redactor = DEFAULT_REDACTOR,
    ) -> None:
        super().__init__(level)
        if batch_size < 1 or max_buffered < batch_size or flush_interval_s <= 0:
            raise ValueError("need batch_size >= 1, max_buffered >= batch_size and flush_interval_s > 0")
        self.addFilter(RedactionFilter(redactor))
        self._repository = repository
        self._redactor = redactor
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.max_buffered = max_buffered
        self._exclude = exclude_loggers
        self._buffer: deque[LogEntry] = deque()
        self._buffer_lock = threading.Lock()
        self._writes = WriteBehind("system-logs")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._closing: asyncio.Task[None] | None = None
        self.dropped = 0

    # -- any thread -----------------------------------------------------------------------------

    def emit(self, record: logging.LogRecord) -> None:
        if self._closed or _in_sink_write.get() or record.name.startswith(self._exclude):
            return
        try:
            entry = to_log_entry(record, self._redactor)
        except Exception:
            self.handleError(record)
            return
        with self._buffer_lock:
            if len(self._buffer) >= self.max_buffered:
                self.dropped += 1
                return
            self._buffer.append(entry)
            full = len(self._buffer) == self.batch_size
        if full and self._loop is not None and self._wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed under us: close() accounts for it
                self._loop.call_soon_threadsafe(self._wake.set)

    def stats(self) -> dict[str, int]:
        return {
            "buffered": len(self._buffer),
            "written": self._writes.written,
            "failed": self._writes.failed,
            "dropped": self.dropped,
        }

    # -- event loop -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start writing (inside the running loop). Its tasks run with the sink's own records muted."""
        if self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        context = contextvars.copy_context()
        context.run(_in_sink_write.set, True)
        context.run(self._writes.start)
        self._task = self._loop.create_task(self._run(), name="system-log-sink", context=context)

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.flush_interval_s)
            self._wake.clear()
            await self._write_buffered()

    def _take_batch(self) -> list[LogEntry]:
        with self._buffer_lock:
            count = min(self.batch_size, len(self._buffer))
            return [self._buffer.popleft() for _ in range(count)]

    async def _write_buffered(self) -> None:
        while batch := self._take_batch():
            self._writes.submit(lambda batch=batch: self._insert(batch))
            await self._writes.flush()

    async def _insert(self, batch: list[LogEntry]) -> None:
        await self._repository.insert_many(batch)

    async def aclose(self, timeout_s: float = 10.0) -> None:
        """Stop accepting records, write everything buffered, then stop (the orderly shutdown)."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            await asyncio.wait_for(self._write_buffered(), timeout_s)
            await self._writes.close(timeout_s)
        except (TimeoutError, StorageError) as exc:
            lost = len(self._buffer) + self._writes.pending
            self.dropped += lost
            self._buffer.clear()
            _stderr(f"system_logs sink: {lost} log record(s) not stored at shutdown ({type(exc).__name__})")
        super().close()

    def close(self) -> None:
        """Synchronous close (``logging.shutdown`` calls it): prefer awaiting ``aclose``. While the
        loop still runs, the flush is scheduled there (and waited for from another thread); once
        it has stopped, what is still buffered cannot be written and is reported lost."""
        loop = self._loop
        if not self._closed and loop is not None and loop.is_running():
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is loop:
                self._closing = loop.create_task(self.aclose(), name="system-log-sink-close")
                return
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self.aclose(), loop).result(15.0)
                return
        self._closed = True
        if self._buffer:
            lost = len(self._buffer)
            self.dropped += lost
            self._buffer.clear()
            _stderr(
                f"system_logs sink closed with {lost} record(s) unwritten: await aclose() before stopping"
            )
        super().close()


def _stderr(message: str) -> None:
    # Logging from inside a log handler's shutdown could recurse into the handler itself.
    print(message, file=sys.stderr)  # noqa: T201


# ---------------------------------------------------------------------------- level counts

LOG_COUNT_FIELDS: dict[LogLevel, str] = {level: f"log_{level.value.lower()}_count" for level in LogLevel}
"""``system_metrics`` integer fields the counts go to (one per level)."""


class LogCountSink(logging.Handler):
    TIMER_NAME = "monitoring.log_counts"

    def __init__(
        self,
        submit: Callable[[Point], object],
        *,
        host_id: str | None = None,
        level: int = logging.DEBUG,
        redactor: Redactor = DEFAULT_REDACTOR,
    ) -> None:
        super().__init__(level)
        schema = measurement("system_metrics")
        missing = [name for name in LOG_COUNT_FIELDS.values() if schema.field_kind(name) is not int]
        if missing:
            raise StorageError(
                f"system_metrics has no integer field(s) {', '.join(missing)} for log counts: declare them "
                "in galfriday/storage/timeseries/schema.py before installing LogCountSink"
            )
        self.addFilter(RedactionFilter(redactor))
        self._submit = submit
        self._host_id = host_id or socket.gethostname()
        self._counts = dict.fromkeys(LogLevel, 0)
        self._lock = threading.Lock()
        self._clock: Clock | None = None

    def emit(self, record: logging.LogRecord) -> None:
        level = level_of(record.levelno)
        with self._lock:
            self._counts[level] += 1

    def start(self, clock: Clock, interval_s: float = 60.0) -> None:
        self._clock = clock
        clock.set_timer(self.TIMER_NAME, int(interval_s * NS_PER_S), lambda _: self.write_counts())

    def write_counts(self) -> None:
        """Submit the counts since the last call as one point (all levels, zeros included)."""
        assert self._clock is not None, "call start(clock) first"
        with self._lock:
            counts, self._counts = self._counts, dict.fromkeys(LogLevel, 0)
        fields = {LOG_COUNT_FIELDS[level]: n for level, n in counts.items()}
        tags = {"host_id": self._host_id, "module_id": "logging"}
        self._submit(Point("system_metrics", tags, fields, self._clock.timestamp_ns()))

    def close(self) -> None:
        if self._clock is not None:
            self._clock.cancel_timer(self.TIMER_NAME)
            self._clock = None
        super().close()

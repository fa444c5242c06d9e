"""The system_logs sink (batched, bounded, redacted, off the caller) and the log-count sink."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Iterator, Sequence

import pytest

from galfriday.core.clock import NS_PER_S, SimClock
from galfriday.core.context import correlation_id_var
from galfriday.core.errors import StorageError
from galfriday.core.types import LogLevel
from galfriday.monitoring import LogCountSink, SystemLogSink, register_secret
from galfriday.storage.db.records import LogEntry
from galfriday.storage.timeseries.point import Point

SECRET = "s3cr3t-kraken-api-key-value"


class FakeRepository:
    def __init__(self, failures: Sequence[BaseException] = ()) -> None:
        self.batches: list[list[LogEntry]] = []
        self._failures = list(failures)
        self.log = logging.getLogger("galfriday.test.repository")

    async def insert_many(self, entries: Sequence[LogEntry]) -> int:
        self.log.warning("writing %d log lines", len(entries))  # must not be stored: it would feed itself
        if self._failures:
            raise self._failures.pop(0)
        self.batches.append(list(entries))
        return len(entries)

    @property
    def entries(self) -> list[LogEntry]:
        return [entry for batch in self.batches for entry in batch]


@pytest.fixture
def log() -> Iterator[logging.Logger]:
    logger = logging.getLogger("galfriday.test.sink")
    logger.setLevel(logging.DEBUG)
    yield logger
    for handler in list(logger.handlers):
        logger.removeHandler(handler)


async def test_records_are_stored_in_batches_with_their_context(log: logging.Logger) -> None:
    repository = FakeRepository()
    sink = SystemLogSink(repository, batch_size=2, flush_interval_s=0.01)
    log.addHandler(sink)
    sink.start()
    signal_id = str(uuid.uuid4())

    token = correlation_id_var.set("corr-1")
    try:
        log.info("order %s sent", "o-1", extra={"pair": "XRP/USD", "signal_id": signal_id, "order_pk": 7})
    finally:
        correlation_id_var.reset(token)
    try:
        raise ValueError("book crossed")
    except ValueError:
        log.exception("handler failed")
    log.debug("not stored: below the sink's level")
    logging.getLogger("sqlalchemy.engine").addHandler(sink)
    logging.getLogger("sqlalchemy.engine").warning("not stored: the database's own logger")
    logging.getLogger("sqlalchemy.engine").removeHandler(sink)
    await sink.aclose()

    assert [len(batch) for batch in repository.batches] == [2]
    first, second = repository.entries
    assert (first.source_module, first.log_level, first.message) == (
        "galfriday.test.sink",
        LogLevel.INFO,
        "order o-1 sent",
    )
    assert (first.trading_pair, first.signal_id, first.order_pk) == ("XRP/USD", uuid.UUID(signal_id), 7)
    assert first.context == {"correlation_id": "corr-1"}
    assert first.log_timestamp.tzinfo is not None
    assert (second.log_level, second.exception_type) == (LogLevel.ERROR, "ValueError")
    assert second.stack_trace is not None and "book crossed" in second.stack_trace
    assert sink.stats() == {"buffered": 0, "written": 1, "failed": 0, "dropped": 0}


async def test_secrets_are_redacted_before_they_are_stored(log: logging.Logger) -> None:
    register_secret(SECRET)
    repository = FakeRepository()
    sink = SystemLogSink(repository)
    log.addHandler(sink)
    sink.start()

    log.warning("auth with %s failed", SECRET, extra={"detail": f"key={SECRET}", "api_secret": "abc123xyz"})
    log.warning("retrying with api_key=AKIAEXAMPLEKEY123 and Authorization: Bearer eyJhbGciOi.payload")
    try:
        raise RuntimeError(f"Kraken refused {SECRET}")
    except RuntimeError:
        log.exception("call failed")
    await sink.aclose()

    stored = repr(repository.entries)
    assert SECRET not in stored and "abc123xyz" not in stored
    assert "AKIAEXAMPLEKEY123" not in stored and "eyJhbGciOi" not in stored
    assert repository.entries[0].message == "auth with *** failed"


async def test_emit_from_another_thread_never_waits_for_the_database(log: logging.Logger) -> None:
    repository = FakeRepository()
    sink = SystemLogSink(repository, batch_size=10, flush_interval_s=0.01)
    log.addHandler(sink)
    sink.start()

    thread = threading.Thread(target=lambda: [log.info("from thread %d", i) for i in range(25)])
    thread.start()
    thread.join()
    await asyncio.sleep(0.05)

    assert len(repository.entries) == 25
    assert [len(b) for b in repository.batches][:2] == [10, 10]
    await sink.aclose()


async def test_a_full_buffer_drops_and_counts(log: logging.Logger) -> None:
    repository = FakeRepository()
    sink = SystemLogSink(repository, batch_size=5, max_buffered=5)
    log.addHandler(sink)

    for i in range(8):
        log.info("line %d", i)  # not started: nothing is written yet
    sink.start()
    await sink.aclose()

    assert [e.message for e in repository.entries] == [f"line {i}" for i in range(5)]
    assert sink.stats()["dropped"] == 3


async def test_an_unreachable_database_is_retried(log: logging.Logger) -> None:
    unreachable = StorageError("writing 1 log lines failed: connection refused")
    unreachable.__cause__ = OSError("connection refused")
    repository = FakeRepository(failures=[unreachable])
    sink = SystemLogSink(repository)
    log.addHandler(sink)
    sink.start()

    log.error("important")
    await sink.aclose()

    assert [e.message for e in repository.entries] == ["important"]


async def test_sync_close_from_another_thread_flushes_through_the_loop(log: logging.Logger) -> None:
    repository = FakeRepository()
    sink = SystemLogSink(repository, flush_interval_s=60)
    log.addHandler(sink)
    sink.start()
    log.info("before shutdown")

    await asyncio.to_thread(sink.close)  # what logging.shutdown() does at exit

    assert [e.message for e in repository.entries] == ["before shutdown"]


def test_sync_close_without_a_loop_reports_what_is_lost(
    log: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    sink = SystemLogSink(FakeRepository())
    log.addHandler(sink)
    log.info("never written")

    sink.close()

    assert sink.stats()["dropped"] == 1
    assert "1 record(s) unwritten" in capsys.readouterr().err


# ---------------------------------------------------------------------------- log counts


def test_counts_per_level_go_to_system_metrics_on_the_timer(log: logging.Logger) -> None:
    points: list[Point] = []
    clock = SimClock(1_700_000_000 * NS_PER_S)
    sink = LogCountSink(points.append, host_id="h1")
    log.addHandler(sink)
    sink.start(clock, interval_s=60)

    for _ in range(3):
        log.error("bad")
    log.warning("meh")
    log.log(25, "custom level between INFO and WARNING")
    clock.advance_to(clock.timestamp_ns() + 60 * NS_PER_S)
    log.critical("worse")
    clock.advance_to(clock.timestamp_ns() + 60 * NS_PER_S)

    assert [p.tags for p in points] == [{"host_id": "h1", "module_id": "logging"}] * 2
    assert points[0].fields == {
        "log_debug_count": 0,
        "log_info_count": 1,
        "log_warning_count": 1,
        "log_error_count": 3,
        "log_critical_count": 0,
    }
    assert points[1].fields["log_critical_count"] == 1 and points[1].fields["log_error_count"] == 0
    sink.close()
    assert clock.timer_names == []

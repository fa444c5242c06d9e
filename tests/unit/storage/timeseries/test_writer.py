"""BufferedTimeSeriesWriter: never blocks the caller, batches, retries without loss, and loses
nothing at shutdown."""

from __future__ import annotations

import asyncio
import logging
import math

import pytest

from galfriday.core.errors import StorageError
from galfriday.storage.timeseries.duckdb_store import DuckDBStore
from galfriday.storage.timeseries.errors import StoreUnavailableError, WriteRejectedError
from galfriday.storage.timeseries.point import Point
from galfriday.storage.timeseries.store import TimeSeriesStore
from galfriday.storage.timeseries.writer import BufferedTimeSeriesWriter

from ._fake_store import FakeStore
from ._points import KRAKEN, ohlcv

T0 = 1_714_564_800_000_000_000
FAST = {"backoff_initial_s": 0.001, "backoff_max_s": 0.01}


def bars(n: int, start: int = 0) -> list[Point]:
    return [ohlcv(T0 + i, i) for i in range(start, start + n)]


def writer_for(store: FakeStore, **kwargs: object) -> BufferedTimeSeriesWriter:
    return BufferedTimeSeriesWriter(store, **{**FAST, **kwargs})  # type: ignore[arg-type]


def test_the_writer_is_a_timeseries_store() -> None:
    assert isinstance(BufferedTimeSeriesWriter(FakeStore()), TimeSeriesStore)  # type: ignore[arg-type]


async def test_submit_only_buffers_and_a_full_batch_is_written_at_once() -> None:
    store = FakeStore()
    writer = writer_for(store, batch_size=100, flush_interval_s=60)
    writer.start()
    points = bars(250)
    for p in points[:99]:
        assert writer.submit(p) is True
    assert store.attempts == 0 and writer.stats().buffered == 99
    for p in points[99:]:
        writer.submit(p)
    await asyncio.wait_for(store.written.wait(), 5)
    await writer.close()
    assert [len(b) for b in store.batches] == [100, 100, 50]
    assert store.points == points and store.closed


async def test_a_partial_batch_waits_at_most_the_flush_interval() -> None:
    store = FakeStore()
    writer = writer_for(store, batch_size=1000, flush_interval_s=0.02)
    writer.start()
    writer.submit(ohlcv(T0))
    await asyncio.wait_for(store.written.wait(), 5)
    assert store.points == [ohlcv(T0)]
    await writer.close()


async def test_a_full_buffer_drops_new_points_counts_them_and_logs_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = FakeStore()
    writer = writer_for(store, batch_size=10, max_buffered=10, log_interval_s=3600)
    with caplog.at_level(logging.WARNING):
        results = [writer.submit(p) for p in bars(25)]
    assert results == [True] * 10 + [False] * 15
    assert writer.stats().dropped == 15 and writer.stats().buffered == 10
    assert len([r for r in caplog.records if "dropped" in r.getMessage()]) == 1
    await writer.close()
    assert store.points == bars(10)


async def test_an_outage_is_retried_with_backoff_and_loses_nothing() -> None:
    store = FakeStore()
    store.outage = StoreUnavailableError("connection refused")
    store.down = True
    writer = writer_for(store, batch_size=50, flush_interval_s=0.01)
    writer.start()
    points = bars(120)
    for p in points[:60]:
        writer.submit(p)
    await asyncio.wait_for(store.attempted(5), 5)
    for p in points[60:]:  # keeps accepting while the store is down
        writer.submit(p)
    store.down = False
    await writer.close()
    stats = writer.stats()
    assert store.points == points
    assert stats.retries == store.attempts - stats.batches >= 4
    assert stats.written == 120 and stats.dropped == stats.rejected == 0
    assert (
        stats.submitted
        == stats.written + stats.rejected + stats.dropped + stats.empty_skipped + stats.buffered
    )
    assert stats.last_error == "connection refused"


async def test_retry_after_is_honoured_up_to_the_backoff_cap() -> None:
    store = FakeStore()
    store.failures = [StoreUnavailableError("429", retry_after_s=0.05)]
    writer = writer_for(store, backoff_max_s=0.05)
    writer.submit(ohlcv(T0))
    loop = asyncio.get_running_loop()
    started = loop.time()
    await writer.flush()
    assert loop.time() - started >= 0.05
    assert store.points == [ohlcv(T0)]
    await writer.close()


async def test_a_rejected_batch_is_counted_and_does_not_block_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = FakeStore()
    store.failures = [WriteRejectedError("bad request"), WriteRejectedError("partial", points_rejected=1)]
    writer = writer_for(store, batch_size=5)
    for p in bars(15):
        writer.submit(p)
    with caplog.at_level(logging.ERROR):
        await writer.close()
    stats = writer.stats()
    assert store.points == bars(5, start=10)
    assert (stats.rejected, stats.written, stats.retries) == (6, 9, 0)
    assert "refused 5 of 5" in caplog.text


async def test_an_unexpected_error_drops_the_batch_instead_of_wedging_the_queue() -> None:
    store = FakeStore()
    store.failures = [RuntimeError("bug")]
    writer = writer_for(store, batch_size=2)
    for p in bars(4):
        writer.submit(p)
    await writer.close()
    assert store.points == bars(2, start=2)
    assert writer.stats().rejected == 2


async def test_close_writes_everything_buffered_even_without_start() -> None:
    store = FakeStore()
    writer = writer_for(store, batch_size=1000, flush_interval_s=3600)
    for p in bars(2500):
        writer.submit(p)
    await writer.close()
    assert len(store.points) == 2500 and writer.stats().buffered == 0
    assert writer.submit(ohlcv(T0)) is False  # closed: counted as dropped
    assert writer.stats().dropped == 1


async def test_close_gives_up_after_its_timeout_and_says_how_much_was_lost() -> None:
    store = FakeStore()
    store.outage = StoreUnavailableError("connection refused")
    store.down = True
    writer = writer_for(store, close_timeout_s=0.1)
    for p in bars(7):
        writer.submit(p)
    with pytest.raises(StorageError, match="7 point"):
        await writer.close()
    assert store.closed
    assert (writer.stats().dropped, writer.stats().buffered) == (7, 0)


async def test_nan_fields_and_all_nan_points_are_counted() -> None:
    store = FakeStore()
    writer = writer_for(store)
    tags = {**KRAKEN, "feature_set_id": "v1"}
    writer.submit(Point("features", tags, {"a": math.nan, "b": 1.0}, T0))
    assert writer.submit(Point("features", tags, {"a": math.inf}, T0)) is False
    await writer.close()
    stats = writer.stats()
    assert (stats.submitted, stats.written, stats.non_finite_dropped, stats.empty_skipped) == (2, 1, 2, 1)


async def test_query_reads_through_to_the_store() -> None:
    writer = BufferedTimeSeriesWriter(DuckDBStore(":memory:"), batch_size=10)
    async with writer:
        await writer.write_many(bars(3))
        await writer.write(ohlcv(T0 + 99))
        assert await writer.query("market_data_ohlcv") == []  # still buffered
        await writer.flush()
        assert await writer.query("market_data_ohlcv", limit=2, newest_first=True) == [
            ohlcv(T0 + 99),
            bars(3)[2],
        ]


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="max_buffered"):
        BufferedTimeSeriesWriter(FakeStore(), batch_size=10, max_buffered=5)  # type: ignore[arg-type]


async def test_close_retries_at_once_instead_of_finishing_a_long_backoff() -> None:
    store = FakeStore()
    store.failures = [StoreUnavailableError("down")]
    writer = writer_for(
        store, flush_interval_s=0.01, backoff_initial_s=3600, backoff_max_s=3600, close_timeout_s=5
    )
    writer.start()
    writer.submit(ohlcv(T0))
    await asyncio.wait_for(store.attempted(1), 5)
    await writer.close()  # would take an hour if the backoff sleep were not cut short
    assert store.points == [ohlcv(T0)]

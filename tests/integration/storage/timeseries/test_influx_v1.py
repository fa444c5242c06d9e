"""InfluxStore and BufferedTimeSeriesWriter against the real InfluxDB 1.x server (Debian's 1.6.7):
database and retention policies, exact round trips of every measurement, no loss at shutdown or
through an outage."""

from __future__ import annotations

import asyncio
import time

import pytest

from galfriday.storage.timeseries.errors import StoreUnavailableError
from galfriday.storage.timeseries.influx_store import InfluxStore
from galfriday.storage.timeseries.point import Point
from galfriday.storage.timeseries.writer import BufferedTimeSeriesWriter
from tests.unit.storage.timeseries._points import KRAKEN, every_measurement, l2, ohlcv, portfolio, system

from ._influx_http import INFLUX_URL, count, influxql, rows
from ._tcp_proxy import TcpProxy, free_port

pytestmark = pytest.mark.influxdb

NS_PER_DAY = 86_400 * 10**9


def now_ns() -> int:
    return time.time_ns() - 3600 * 10**9  # inside every retention policy, whatever the clock does


async def test_database_and_retention_policies_are_created(influx_db: str) -> None:
    store = InfluxStore(INFLUX_URL, database=influx_db)
    await store.ensure_schema()
    await store.close()
    policies = {r["name"]: r["duration"] for r in rows(f'SHOW RETENTION POLICIES ON "{influx_db}"')}
    assert policies == {
        "autogen": "0s",
        "market_data": "2160h0m0s",
        "predictions": "720h0m0s",
        "metrics": "168h0m0s",
    }
    # A changed configuration alters the existing policy instead of failing.
    store = InfluxStore(INFLUX_URL, database=influx_db, retention={"metrics_days": 3})
    await store.ensure_schema()
    await store.close()
    policies = {r["name"]: r["duration"] for r in rows(f'SHOW RETENTION POLICIES ON "{influx_db}"')}
    assert policies["metrics"] == "72h0m0s"


async def test_every_measurement_round_trips_exactly(influx_db: str) -> None:
    t0 = now_ns()
    points = every_measurement(t0)
    store = InfluxStore(INFLUX_URL, database=influx_db)
    await store.write_many(points)
    for name in {p.measurement for p in points}:
        assert await store.query(name) == [p for p in points if p.measurement == name], name
    # Each point went to its measurement's retention policy.
    assert count(influx_db, "market_data", "market_data_l2", "mid_price") == 1
    assert count(influx_db, "predictions", "features", "rsi_14") == 1
    assert count(influx_db, "metrics", "system_metrics", "cpu_usage_pct") == 2
    await store.close()


async def test_query_filters(influx_db: str) -> None:
    t0 = now_ns()
    xrp = [ohlcv(t0 + i * 60 * 10**9, i) for i in range(10)]
    doge = Point(
        "market_data_ohlcv", {**KRAKEN, "trading_pair": "DOGE/USD", "interval": "1m"}, {"open": 0.1}, t0
    )
    store = InfluxStore(INFLUX_URL, database=influx_db)
    await store.write_many([*xrp, doge])
    assert await store.query("market_data_ohlcv", tags={"trading_pair": "XRP/USD"}) == xrp
    window = await store.query("market_data_ohlcv", tags=KRAKEN, start_ns=xrp[2].ts_ns, end_ns=xrp[5].ts_ns)
    assert window == xrp[2:5]
    assert await store.query("market_data_ohlcv", tags=KRAKEN, limit=2, newest_first=True) == xrp[:-3:-1]
    closes = await store.query("market_data_ohlcv", tags={"trading_pair": "DOGE/USD"}, fields=["open"])
    assert closes == [doge]
    await store.close()


async def test_tag_values_that_need_escaping_round_trip(influx_db: str) -> None:
    t0 = now_ns()
    tricky = ['main, "paper"=1', "space in it", "it's", "ünïcødé ✓", "a=b,c d"]
    points = [portfolio(t0 + i) for i in range(len(tricky))]
    points = [
        Point(p.measurement, {"account_id": a}, p.fields, p.ts_ns)
        for p, a in zip(points, tricky, strict=True)
    ]
    store = InfluxStore(INFLUX_URL, database=influx_db, gzip_body=True)
    await store.write_many(points)
    assert await store.query("portfolio_metrics") == points
    for p in points:
        assert await store.query("portfolio_metrics", tags=p.tags) == [p]
    await store.close()


async def test_writer_loses_nothing_buffered_at_shutdown(influx_db: str) -> None:
    t0 = now_ns()
    store = InfluxStore(INFLUX_URL, database=influx_db)
    writer = BufferedTimeSeriesWriter(store, batch_size=1000, flush_interval_s=3600, max_buffered=20_000)
    writer.start()
    points = [system(t0 + i, i) for i in range(12_345)]
    for p in points:
        writer.submit(p)
    buffered_at_close = writer.stats().buffered
    await writer.close()
    assert buffered_at_close > 0
    assert count(influx_db, "metrics", "system_metrics", "event_queue_depth") == 12_345
    stats = writer.stats()
    assert (stats.written, stats.dropped, stats.rejected, stats.buffered) == (12_345, 0, 0, 0)


async def test_an_outage_is_retried_until_influxdb_is_back_and_nothing_is_lost(influx_db: str) -> None:
    proxy = TcpProxy("127.0.0.1", 8086)
    store = InfluxStore(proxy.url, database=influx_db, timeout_s=2)
    writer = BufferedTimeSeriesWriter(
        store, batch_size=200, flush_interval_s=0.02, backoff_initial_s=0.01, backoff_max_s=0.05
    )
    writer.start()
    t0 = now_ns()
    points = [l2(t0 + i * 1000, depth=10, i=i) for i in range(1500)]

    async def retries_reach(n: int) -> None:
        while writer.stats().retries < n:  # noqa: ASYNC110 - the writer has no event to wait on
            await asyncio.sleep(0.005)

    for p in points[:500]:  # nothing listens on the port yet: connections are refused
        writer.submit(p)
    await asyncio.wait_for(retries_reach(3), 5)
    await proxy.start()
    for p in points[500:1000]:
        writer.submit(p)
    await writer.flush()
    assert count(influx_db, "market_data", "market_data_l2", "mid_price") == 1000

    await proxy.stop()  # InfluxDB goes away mid-run: open connections are cut
    retries = writer.stats().retries
    for p in points[1000:]:
        writer.submit(p)
    await asyncio.wait_for(retries_reach(retries + 3), 5)
    await proxy.start()
    await writer.close()

    assert count(influx_db, "market_data", "market_data_l2", "mid_price") == 1500
    stats = writer.stats()
    assert (stats.written, stats.dropped, stats.rejected) == (1500, 0, 0)
    assert proxy.connections >= 2
    direct = InfluxStore(INFLUX_URL, database=influx_db)
    assert await direct.query("market_data_l2", limit=1) == points[:1]
    await direct.close()


async def test_a_closed_port_is_a_retryable_error() -> None:
    store = InfluxStore(f"http://127.0.0.1:{free_port()}", database="x", timeout_s=1)
    with pytest.raises(StoreUnavailableError, match="did not answer"):
        await store.write(system(now_ns()))
    await store.close()


async def test_points_beyond_retention_are_rejected_and_counted_not_retried(influx_db: str) -> None:
    t0 = now_ns()
    store = InfluxStore(INFLUX_URL, database=influx_db)
    writer = BufferedTimeSeriesWriter(store, batch_size=100)
    for p in (system(t0), system(t0 - 30 * NS_PER_DAY), system(t0 + 1)):  # metrics keep 7 days
        writer.submit(p)
    await writer.close()
    stats = writer.stats()
    assert (stats.written, stats.rejected, stats.retries) == (2, 1, 0)
    assert "beyond retention" in (stats.last_error or "")
    assert count(influx_db, "metrics", "system_metrics", "cpu_usage_pct") == 2


async def test_a_dropped_database_is_recreated(influx_db: str) -> None:
    t0 = now_ns()
    store = InfluxStore(INFLUX_URL, database=influx_db)
    writer = BufferedTimeSeriesWriter(store, backoff_initial_s=0.01)
    writer.submit(system(t0))
    await writer.flush()
    influxql(f'DROP DATABASE "{influx_db}"')
    writer.submit(system(t0 + 1))
    await writer.close()
    assert count(influx_db, "metrics", "system_metrics", "cpu_usage_pct") == 1
    assert writer.stats().retries == 1

"""Time-series store throughput: what persistence costs, and what it costs the trading path.

Run: python -m bench.bench_timeseries   (prints one line per measurement; copy into docs/benchmarks.md)

What is counted (points per second of wall time, best of 3 runs unless said otherwise):
- Point construction: building validated ``Point``s from ready dicts (the schema check every
  producer pays once per point).
- Line-protocol encoding: ``encode_points`` turning pre-built points into a write body.
- Writer submit: ``BufferedTimeSeriesWriter.submit`` — the only cost on the trading path — into a
  writer whose flusher is not running, so nothing else competes.
- DuckDB batched writes: ``DuckDBStore.write_many`` with batches of 5,000 points (the writer's
  default), into a fresh file in a temporary folder, including the commit; one run of 50,000 points.
- InfluxDB 1.x batched writes (only when a server answers on 127.0.0.1:8086): ``InfluxStore.write_many``
  with batches of 5,000 points into a throw-away database (dropped afterwards), each batch
  acknowledged by the server before the next is sent; one run of 50,000 points.
Two shapes of point: an order-book snapshot (``market_data_l2``, depth 10: 54 fields) and a
one-minute bar (``market_data_ohlcv``: 5 fields).
"""

from __future__ import annotations

import asyncio
import os
import platform
import socket
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from galfriday.storage.timeseries.duckdb_store import DuckDBStore
from galfriday.storage.timeseries.influx_store import InfluxStore
from galfriday.storage.timeseries.line_protocol import encode_points
from galfriday.storage.timeseries.point import Point
from galfriday.storage.timeseries.writer import BufferedTimeSeriesWriter

BATCH = 5_000
TOTAL = 50_000
T0 = time.time_ns() - 3600 * 10**9  # recent, so InfluxDB's retention policies accept it
KRAKEN = {"exchange": "kraken", "trading_pair": "XRP/USD"}


def l2_fields(i: int) -> dict[str, float | bool]:
    fields: dict[str, float | bool] = {"is_snapshot": False}
    for n in range(10):
        fields[f"bid_price_level_{n}"] = 0.5213 - n * 1e-4 + i * 1e-7
        fields[f"bid_volume_level_{n}"] = 1000.0 + n + i % 7
        fields[f"ask_price_level_{n}"] = 0.5215 + n * 1e-4 + i * 1e-7
        fields[f"ask_volume_level_{n}"] = 900.0 + n + i % 5
        fields[f"imbalance_{n}"] = (n + 1) / 13
    fields.update(spread=0.0002, mid_price=0.5214 + i * 1e-7, wap=0.52141)
    return fields


def ohlcv_fields(i: int) -> dict[str, float]:
    o = 0.52 + i * 1e-6
    return {"open": o, "high": o + 0.003, "low": o - 0.001, "close": o + 0.001, "volume": 12_345.6 + i}


SHAPES: dict[str, tuple[str, dict[str, str], Callable[[int], dict]]] = {
    "market_data_l2 (54 fields)": ("market_data_l2", KRAKEN, l2_fields),
    "market_data_ohlcv (5 fields)": ("market_data_ohlcv", {**KRAKEN, "interval": "1m"}, ohlcv_fields),
}


def make_points(shape: str, n: int) -> list[Point]:
    measurement, tags, fields = SHAPES[shape]
    return [Point(measurement, tags, fields(i), T0 + i * 1000) for i in range(n)]


def best_rate(n: int, run: Callable[[], object], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return n / best


def bench_construct(shape: str, n: int = 20_000) -> float:
    measurement, tags, fields = SHAPES[shape]
    raw = [fields(i) for i in range(n)]
    return best_rate(n, lambda: [Point(measurement, tags, f, T0 + i) for i, f in enumerate(raw)])


def bench_encode(shape: str, n: int = 20_000) -> float:
    points = make_points(shape, n)
    return best_rate(n, lambda: encode_points(points))


def bench_submit(shape: str, n: int = 100_000) -> float:
    points = make_points(shape, n)
    store = DuckDBStore(":memory:")  # never written to: the flusher is not started

    def run() -> None:
        writer = BufferedTimeSeriesWriter(store, batch_size=BATCH, max_buffered=n)
        for p in points:
            writer.submit(p)

    rate = best_rate(n, run)
    asyncio.run(store.close())
    return rate


async def write_batches(store: DuckDBStore | InfluxStore, points: list[Point]) -> float:
    start = time.perf_counter()
    for i in range(0, len(points), BATCH):
        await store.write_many(points[i : i + BATCH])
    elapsed = time.perf_counter() - start
    await store.close()
    return len(points) / elapsed


def bench_duckdb(shape: str) -> float:
    points = make_points(shape, TOTAL)
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(write_batches(DuckDBStore(Path(folder) / "bench.duckdb"), points))


def influx_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 8086), timeout=1):
            return True
    except OSError:
        return False


async def bench_influx(shape: str) -> float:
    database = f"galfriday_bench_{uuid.uuid4().hex[:8]}"
    store = InfluxStore("http://127.0.0.1:8086", database=database)
    await store.ensure_schema()
    try:
        return await write_batches(store, make_points(shape, TOTAL))
    finally:
        admin = InfluxStore("http://127.0.0.1:8086", database=database)
        await admin.influxql(f'DROP DATABASE "{database}"')
        await admin.close()


def main() -> None:
    print(
        f"# time-series benchmark — {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cpu, {platform.processor() or platform.machine()}"
    )
    for shape in SHAPES:
        print(f"Point construction (validated), {shape}: {bench_construct(shape):,.0f} points/s")
        print(f"line-protocol encoding, {shape}: {bench_encode(shape):,.0f} points/s")
        print(f"writer submit (trading-path cost), {shape}: {bench_submit(shape):,.0f} points/s")
        print(f"DuckDB file, batches of {BATCH:,}, {shape}: {bench_duckdb(shape):,.0f} points/s")
        if influx_up():
            rate = asyncio.run(bench_influx(shape))
            print(f"InfluxDB 1.x on 127.0.0.1, batches of {BATCH:,}, {shape}: {rate:,.0f} points/s")
        else:
            print(f"InfluxDB 1.x, {shape}: skipped (no server on 127.0.0.1:8086)")


if __name__ == "__main__":
    main()

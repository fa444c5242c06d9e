"""Trades -> bars throughput and Parquet candle loading (issue target: load >= 2,000,000 rows/s).

Run: python -m bench.bench_bars   (prints one line per measurement; copy into docs/benchmarks.md)

What is counted:
- batch: trades per second through ``build_bars`` (1 m bars, Decimal prices with 5 decimals and
  quantities with 8, ~20 trades a minute, trade ids checked for duplicates), input lists built
  beforehand; best of 3 runs over 500,000 trades.
- streaming: trades per second through ``BarAggregator.on_trade`` on a SimClock + SyncBus, the
  clock advanced to each trade first (so every bar is closed by its timer and published to one
  no-op subscriber); events built beforehand; best of 3 runs over 200,000 trades.
- Parquet load: candle rows per second returned by ``load_candles`` for 3,000,000 synthetic 1 m
  candles (about 5.7 years, written through the store as 69 monthly zstd Parquet files with
  exact decimal128 columns): the whole history, and a one-year slice; best of 5, warm page cache.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import BarClosed, MarketTradeReceived
from galfriday.core.types import Side
from galfriday.marketdata.bars import BarAggregator, build_bars
from galfriday.marketdata.history import HistoryLayout, load_candles
from galfriday.marketdata.history.schema import CANDLES_SCHEMA, DECIMAL, TIMESTAMP
from galfriday.marketdata.history.store import write_candles

S = 1_000_000_000
T0 = 1_577_836_800 * S  # 2020-01-01 00:00 UTC


def _best(runs: int, fn: Callable[[], int]) -> float:
    best = 0.0
    for _ in range(runs):
        start = time.perf_counter()
        n = fn()
        best = max(best, n / (time.perf_counter() - start))
    return best


def _trades(n: int) -> tuple[list[int], list[Decimal], list[Decimal], list[str]]:
    rng = np.random.default_rng(7)
    ts = (T0 + np.cumsum(rng.integers(1, 6 * S, n))).tolist()  # ~20 trades a minute
    prices = [Decimal(f"{p:.5f}") for p in 0.5 + np.cumsum(rng.normal(0, 0.0001, n))]
    qtys = [Decimal(f"{q:.8f}") for q in rng.exponential(200.0, n) + 1e-8]
    return ts, prices, qtys, [str(i) for i in range(n)]


def bench_batch(n: int = 500_000) -> float:
    ts, prices, qtys, ids = _trades(n)
    return _best(3, lambda: build_bars("XRP/USD", ts, prices, qtys, trade_ids=ids) and n)


def bench_streaming(n: int = 200_000) -> float:
    ts, prices, qtys, ids = _trades(n)
    events = [
        MarketTradeReceived(ts_event=t, ts_init=t, pair="XRP/USD", price=p, qty=q, side=Side.BUY, trade_id=i)
        for t, p, q, i in zip(ts, prices, qtys, ids, strict=True)
    ]

    def run() -> int:
        clock = SimClock(T0)
        bus = SyncBus()
        bus.subscribe(BarClosed, lambda e: None)
        agg = BarAggregator(clock, bus)
        agg.start()
        advance, on_trade = clock.advance_to, agg.on_trade
        for e in events:
            advance(e.ts_event)
            on_trade(e)
        return n

    return _best(3, run)


def _candles(n: int) -> pa.Table:
    rng = np.random.default_rng(11)
    close = np.round(0.5 + np.cumsum(rng.normal(0, 0.0002, n)).clip(-0.4, None), 5)
    open_ = np.round(np.concatenate([[0.5], close[:-1]]), 5)
    high = np.round(np.maximum(open_, close) + rng.uniform(0, 0.0005, n), 5)
    low = np.round(np.minimum(open_, close) - rng.uniform(0, 0.0005, n), 5)
    volume = np.round(rng.exponential(5000.0, n), 8)

    def dec(values: np.ndarray) -> pa.Array:  # exact: via the shortest decimal text of each value
        return pc.cast(pc.cast(pa.array(values), pa.string()), DECIMAL)

    return pa.table(
        [
            pa.array(T0 + np.arange(n, dtype=np.int64) * 60 * S).cast(TIMESTAMP),
            dec(open_), dec(high), dec(low), dec(close), dec(volume),
            dec(np.round((high + low) / 2, 5)), pa.array(rng.integers(1, 50, n)),
        ],
        schema=CANDLES_SCHEMA,
    )  # fmt: skip


def bench_load(root: Path, n: int = 3_000_000) -> tuple[float, float, int, int]:
    files = len(write_candles(HistoryLayout(root), "XRP/USD", 60, _candles(n)))
    full = _best(5, lambda: load_candles(root, "XRP/USD").num_rows)
    year_rows = load_candles(root, "XRP/USD", "2021-01-01", "2022-01-01").num_rows
    year = _best(5, lambda: load_candles(root, "XRP/USD", "2021-01-01", "2022-01-01").num_rows)
    return full, year, files, year_rows


def main() -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"# bench_bars {time.strftime('%Y-%m-%d')} on {platform.machine()} x{os.cpu_count()} CPUs "
        f"(load average {load}), Python {platform.python_version()}, pyarrow {pa.__version__}"
    )
    print(f"trades->bars batch     : {bench_batch():>12,.0f} trades/s (build_bars, 1 m bars, Decimal)")
    print(
        f"trades->bars streaming : {bench_streaming():>12,.0f} trades/s (BarAggregator + SimClock + SyncBus)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        full, year, files, year_rows = bench_load(Path(tmp))
    print(f"parquet candle load    : {full:>12,.0f} rows/s (3,000,000 1 m candles, {files} monthly files)")
    print(f"parquet candle load    : {year:>12,.0f} rows/s (one-year slice: {year_rows:,} rows)")
    verdict = "OK" if min(full, year) >= 2_000_000 else "BELOW TARGET"
    print(f"target load >= 2,000,000 rows/s: {verdict}")


if __name__ == "__main__":
    main()

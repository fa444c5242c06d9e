"""Speed of the simulation package: matching engine, market generator, Parquet replay.

Run: python -m bench.bench_matching   (prints one line per measurement; copy into docs/benchmarks.md)

What is counted (one core, wall time, best of 5 runs; the machine's load average is printed
because a busy shared machine halves these numbers):
- submit+cancel: XRP/USD engine, latency 0, a depth-10 book present; a resting GTC limit buy is
  submitted and canceled, 20,000 times. ops = submits + cancels (each returns its report).
- submit+fill, batched: 1,000 market buys submitted, then one depth-10 book update (deep enough
  for all) fills them, 20 rounds. ops = submits + fills. Each filled order produces three reports
  (pending_new, new, trade), funds held and settled in exact Decimal, fees rounded.
- submit+fill, one book per order: the worst case: every market buy waits for its own book update
  (no look-ahead: it may only fill on data stamped after it), so each op pair also pays for a
  whole book update. ops = submits + fills.
- generator: events/s of ``MarketGenerator`` (XRP/USD + DOGE/USD, depth 25), streamed, not kept.
- replay: rows/s of ``TradeFile`` / ``CandleFile`` from a Parquet file written with float
  columns (the slow, common case: each float becomes an exact Decimal), reading + converting +
  iterating the events.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import tempfile
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from galfriday.core.events import BookLevel, OrderBookUpdated
from galfriday.core.instruments import default_instruments
from galfriday.core.types import OrderType, Side
from galfriday.sim.market import MarketGenerator
from galfriday.sim.matching import Account, FillModelConfig, MatchingEngine, OrderRequest
from galfriday.sim.replay import CandleFile, TradeFile

XRP = default_instruments()["XRP/USD"]
TICK = XRP.tick
RUNS = 5


def _book(ts: int, qty: str = "1000000") -> OrderBookUpdated:
    bids = tuple(BookLevel(Decimal("0.49990") - TICK * i, Decimal(qty)) for i in range(10))
    asks = tuple(BookLevel(Decimal("0.50010") + TICK * i, Decimal(qty)) for i in range(10))
    return OrderBookUpdated(ts_event=ts, ts_init=ts, pair="XRP/USD", bids=bids, asks=asks)


def _engine() -> MatchingEngine:
    account = Account({"USD": "1000000000", "XRP": "1000000000"})
    engine = MatchingEngine(XRP, account, FillModelConfig(latency_ns=0))
    engine.on_book(_book(1))
    return engine


def best_rate(run: Callable[[], tuple[int, float]]) -> float:
    """Highest count/seconds over RUNS runs (the least disturbed by the rest of the machine)."""
    return max(count / seconds for count, seconds in (run() for _ in range(RUNS)))


def submit_cancel(n: int = 20_000) -> tuple[int, float]:
    engine = _engine()
    order = OrderRequest(
        side=Side.BUY, order_type=OrderType.LIMIT, qty=Decimal(10), limit_price=Decimal("0.49")
    )
    submit, cancel = engine.submit, engine.cancel
    start = time.perf_counter()
    for ts in range(10, 10 + n):
        (accepted,) = submit(order, ts)
        cancel(ts, order_id=accepted.order_id)
    return 2 * n, time.perf_counter() - start


def _market_buy() -> OrderRequest:
    return OrderRequest(side=Side.BUY, order_type=OrderType.MARKET, qty=Decimal(10))


def submit_fill_batched(rounds: int = 20, per_book: int = 1_000) -> tuple[int, float]:
    engine, order = _engine(), _market_buy()
    books = [_book(100 + 2 * r + 1) for r in range(rounds)]
    fills = 0
    start = time.perf_counter()
    for r, book in enumerate(books):
        for _ in range(per_book):
            engine.submit(order, 100 + 2 * r)
        fills += sum(1 for rep in engine.on_book(book) if rep.last_qty)
    elapsed = time.perf_counter() - start
    assert fills == rounds * per_book, fills
    return rounds * per_book + fills, elapsed


def submit_fill_per_book(n: int = 10_000) -> tuple[int, float]:
    engine, order = _engine(), _market_buy()
    books = [_book(100 + 2 * i + 1) for i in range(n)]
    start = time.perf_counter()
    for i, book in enumerate(books):
        engine.submit(order, 100 + 2 * i)
        engine.on_book(book)
    return 2 * n, time.perf_counter() - start


def generator(n: int = 300_000) -> tuple[int, float]:
    start = time.perf_counter()
    count = sum(1 for _ in MarketGenerator(seed=1).events(max_events=n))
    return count, time.perf_counter() - start


def _write_files(folder: Path, rows: int) -> tuple[Path, Path]:
    rng = random.Random(7)
    t0 = 1_700_000_000_000
    prices = [round(0.5 + rng.uniform(-0.01, 0.01), 5) for _ in range(rows)]
    trades = folder / "trades.parquet"
    pq.write_table(pa.table({
        "timestamp": pa.array([t0 + i for i in range(rows)], pa.timestamp("ms", tz="UTC")),
        "price": prices, "qty": [round(rng.uniform(10, 5000), 8) for _ in range(rows)],
        "side": [rng.choice(("buy", "sell")) for _ in range(rows)],
    }), trades)
    candles = folder / "candles.parquet"
    pq.write_table(pa.table({
        "timestamp": pa.array([t0 + 60_000 * i for i in range(rows)], pa.timestamp("ms", tz="UTC")),
        "open": prices, "high": [p + 0.001 for p in prices], "low": [p - 0.001 for p in prices],
        "close": prices, "volume": [round(rng.uniform(1e3, 1e6), 2) for _ in range(rows)],
    }), candles)
    return trades, candles


def replay_rows(path: Path, source: Callable[[Path], Iterable[object]], rows: int) -> tuple[int, float]:
    start = time.perf_counter()
    count = sum(1 for _ in source(path))
    elapsed = time.perf_counter() - start
    assert count == rows
    return count, elapsed


def main() -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"# sim benchmark — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
          f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cpu, "
          f"{platform.processor() or platform.machine()}, load average {load}")
    rows = 100_000
    with tempfile.TemporaryDirectory() as folder:
        trades, candles = _write_files(Path(folder), rows)
        cases: list[tuple[str, Callable[[], tuple[int, float]], str]] = [
            ("matching submit+cancel (resting limit, depth-10 book)", submit_cancel, "ops/s"),
            ("matching submit+fill, 1,000 orders per book update", submit_fill_batched, "ops/s"),
            ("matching submit+fill, one book update per order", submit_fill_per_book, "ops/s"),
            ("market generator (2 pairs, depth 25)", generator, "events/s"),
            ("replay TradeFile (float columns -> Decimal events)",
             lambda: replay_rows(trades, lambda p: TradeFile(p, "XRP/USD"), rows), "rows/s"),
            ("replay CandleFile (float columns -> Decimal events)",
             lambda: replay_rows(candles, lambda p: CandleFile(p, "XRP/USD"), rows), "rows/s"),
        ]
        for label, run, unit in cases:
            print(f"{label + ':':54} {best_rate(run):>11,.0f} {unit}")


if __name__ == "__main__":
    main()

"""Feature computation cost: streaming per bar / book update / trade, and batch throughput.

Run: python -m bench.bench_features   (prints one line per measurement; copy into docs/benchmarks.md)

What is counted (synthetic XRP/USD-like data: 5-decimal prices, 8-decimal quantities, depth-10
books; events built beforehand; best of 3 runs):
- per bar: ``FeatureEngine.on_bar`` for one BarClosed, i.e. all indicators updated, the book and
  trade features evaluated at the close, imputation, the FeatureVectorComputed built and published
  on a SyncBus with one no-op subscriber. Measured for default_v1 (24 features; ~10 book updates
  and ~20 trades per 1 m bar were fed in between, not timed) and for bars_v1 (14 bar features).
- per book update / per trade: ``FeatureEngine.on_book`` / ``on_trade`` (what runs on every
  market-data event: the book is only remembered, its features are computed at the bar close;
  a trade is added to the exact Decimal sums of each trade window).
- batch: candle rows per second through ``compute_features`` for bars_v1 over 1,000,000 1 m
  candles, and for default_v1 over 100,000 candles with their trades and book snapshots.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from decimal import Decimal

import numpy as np

from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import (
    BarClosed,
    BookLevel,
    FeatureVectorComputed,
    MarketTradeReceived,
    OrderBookUpdated,
)
from galfriday.core.types import Side
from galfriday.features import BookColumns, FeatureEngine, FeatureRegistry, TradeColumns, compute_features

S = 1_000_000_000
T0 = 1_577_836_800 * S  # 2020-01-01 00:00 UTC
PAIR = "XRP/USD"
BOOKS_PER_BAR = 10
TRADES_PER_BAR = 20


def _best(runs: int, fn: Callable[[], float]) -> float:
    return min(fn() for _ in range(runs))


def _candles(n: int, seed: int = 11) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    close = np.round(0.5 * np.exp(np.cumsum(rng.normal(0, 4e-4, n))), 5)
    open_ = np.concatenate([[close[0]], close[:-1]])
    return {
        "timestamp": T0 + np.arange(n, dtype=np.int64) * 60 * S,
        "open": open_,
        "high": np.round(np.maximum(open_, close) + rng.uniform(0, 5e-4, n), 5),
        "low": np.round(np.minimum(open_, close) - rng.uniform(0, 5e-4, n), 5),
        "close": close,
        "volume": np.round(rng.exponential(5000.0, n), 8),
    }


def _bars(c: dict[str, np.ndarray]) -> list[BarClosed]:
    def dec(values: np.ndarray) -> list[Decimal]:
        return [Decimal(repr(v)) for v in values.tolist()]

    o, h, lo, cl, v = (dec(c[k]) for k in ("open", "high", "low", "close", "volume"))
    out = []
    for i, t in enumerate(c["timestamp"].tolist()):
        close_ns = t + 60 * S
        prices = {"open": o[i], "high": h[i], "low": lo[i], "close": cl[i], "vwap": cl[i]}
        out.append(
            BarClosed(ts_event=close_ns, ts_init=close_ns, pair=PAIR, interval_s=60, open_time_ns=t,
                      volume=v[i], trade_count=TRADES_PER_BAR, **prices)
        )  # fmt: skip
    return out


def _books(c: dict[str, np.ndarray], rng: np.random.Generator) -> list[OrderBookUpdated]:
    out = []
    for i, t in enumerate(c["timestamp"].tolist()):
        mid = float(c["close"][i])
        for k in range(BOOKS_PER_BAR):
            ts = t + (k + 1) * 60 * S // (BOOKS_PER_BAR + 1)
            qty = rng.exponential(2000, 20).round(8)
            bids = tuple(
                BookLevel(Decimal(f"{mid - 1e-5 * (j + 1):.5f}"), Decimal(f"{qty[j]:.8f}")) for j in range(10)
            )
            asks = tuple(
                BookLevel(Decimal(f"{mid + 1e-5 * (j + 1):.5f}"), Decimal(f"{qty[10 + j]:.8f}"))
                for j in range(10)
            )
            out.append(OrderBookUpdated(ts_event=ts, ts_init=ts, pair=PAIR, bids=bids, asks=asks))
    return out


def _trades(c: dict[str, np.ndarray], rng: np.random.Generator) -> list[MarketTradeReceived]:
    out = []
    for i, t in enumerate(c["timestamp"].tolist()):
        for k in range(TRADES_PER_BAR):
            ts = t + (k + 1) * 60 * S // (TRADES_PER_BAR + 1)
            price = Decimal(f"{float(c['close'][i]) + rng.normal(0, 1e-4):.5f}")
            qty = Decimal(f"{rng.exponential(300):.8f}")
            side = Side.BUY if rng.random() < 0.5 else Side.SELL
            out.append(
                MarketTradeReceived(ts_event=ts, ts_init=ts, pair=PAIR, price=price, qty=qty, side=side)
            )
    return out


def bench_streaming(set_id: str, n_bars: int) -> tuple[float, float, float]:
    """(µs per bar, µs per book update, µs per trade) through the engine's handlers."""
    c = _candles(n_bars)
    rng = np.random.default_rng(5)
    bars = _bars(c)
    with_market = set_id == "default_v1"
    books = _books(c, rng) if with_market else []
    trades = _trades(c, rng) if with_market else []

    def run() -> tuple[float, float, float]:
        bus = SyncBus()
        bus.subscribe(FeatureVectorComputed, lambda e: None)
        engine = FeatureEngine(bus, SimClock(T0), FeatureRegistry.load().feature_set(set_id), interval_s=60)
        on_bar, on_book, on_trade, clock = (
            engine.on_bar,
            engine.on_book,
            engine.on_trade,
            time.perf_counter_ns,
        )
        bar_ns = book_ns = trade_ns = 0
        for i, bar in enumerate(bars):
            if with_market:
                start = clock()
                for e in books[i * BOOKS_PER_BAR : (i + 1) * BOOKS_PER_BAR]:
                    on_book(e)
                book_ns += clock() - start
                start = clock()
                for e in trades[i * TRADES_PER_BAR : (i + 1) * TRADES_PER_BAR]:
                    on_trade(e)
                trade_ns += clock() - start
            start = clock()
            on_bar(bar)
            bar_ns += clock() - start
        return (
            bar_ns / len(bars) / 1e3,
            book_ns / max(len(books), 1) / 1e3,
            trade_ns / max(len(trades), 1) / 1e3,
        )

    runs = [run() for _ in range(3)]
    return min(r[0] for r in runs), min(r[1] for r in runs), min(r[2] for r in runs)


def bench_batch_bars(n: int = 1_000_000) -> float:
    c = _candles(n)
    fs = FeatureRegistry.load().feature_set("bars_v1")
    return n / _best(3, lambda: _timed(lambda: compute_features(c, fs)))


def bench_batch_default(n: int = 100_000) -> float:
    c = _candles(n)
    rng = np.random.default_rng(5)
    m = n * TRADES_PER_BAR
    trades = TradeColumns(
        np.sort(T0 + rng.integers(0, n * 60 * S, m)),
        np.round(rng.uniform(0.4, 0.6, m), 5).tolist(),
        np.round(rng.exponential(300, m), 8).tolist(),
        rng.random(m) < 0.5,
    )
    k = n * BOOKS_PER_BAR
    mid = rng.uniform(0.4, 0.6, (k, 1))
    ticks = np.arange(10) * 1e-5
    book = BookColumns(
        np.sort(T0 + rng.integers(0, n * 60 * S, k)),
        mid - 1e-5 - ticks,
        rng.exponential(2000, (k, 10)),
        mid + 1e-5 + ticks,
        rng.exponential(2000, (k, 10)),
    )
    fs = FeatureRegistry.load().feature_set("default_v1")
    return n / _best(
        2, lambda: _timed(lambda: compute_features(c, fs, trades=trades, book=book, interval_s=60))
    )


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"# bench_features {time.strftime('%Y-%m-%d')} on {platform.machine()} x{os.cpu_count()} CPUs "
        f"(load average {load}), Python {platform.python_version()}, numpy {np.__version__}"
    )
    bar_us, book_us, trade_us = bench_streaming("default_v1", 5_000)
    print(
        f"streaming default_v1 : {bar_us:8.1f} µs per bar (24 features, book + trade features at the close)"
    )
    print(f"streaming book update: {book_us:8.2f} µs per OrderBookUpdated (depth 10; remembered only)")
    print(f"streaming trade      : {trade_us:8.2f} µs per MarketTradeReceived (two exact Decimal windows)")
    bars_only, _, _ = bench_streaming("bars_v1", 20_000)
    print(f"streaming bars_v1    : {bars_only:8.1f} µs per bar (14 bar features)")
    print(f"batch bars_v1        : {bench_batch_bars():>12,.0f} candle rows/s (1,000,000 rows)")
    print(
        f"batch default_v1     : {bench_batch_default():>12,.0f} candle rows/s (100,000 rows, "
        f"{TRADES_PER_BAR} trades and {BOOKS_PER_BAR} depth-10 books per row)"
    )


if __name__ == "__main__":
    main()

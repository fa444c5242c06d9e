"""vectorbt 1.2 (vectorised, numba): signals from rolling means, ``Portfolio.from_signals``.

Next-open fills are modelled the vectorised way: the signals of bar i are shifted to bar i+1 and
filled at that bar's open. The first call compiles numba kernels; it is run once untimed so the
figure is the steady state (the compile time is reported in the note).
"""

from __future__ import annotations

import time

import pandas as pd
import vectorbt as vbt

from bench.peers import PeerRun


def _once(candles: pd.DataFrame, fast: int, slow: int, fee: float) -> int:
    close = candles["Close"]
    fast_ma, slow_ma = close.rolling(fast).mean(), close.rolling(slow).mean()
    above = fast_ma > slow_ma
    was_above = above.shift(1, fill_value=False)
    valid = slow_ma.shift(1).notna()
    entries = (above & ~was_above & valid).shift(1, fill_value=False)
    exits = (~above & was_above & valid).shift(1, fill_value=False)
    portfolio = vbt.Portfolio.from_signals(
        close, entries, exits, price=candles["Open"], fees=fee, size=100, init_cash=10_000_000, freq="1min"
    )
    return int(portfolio.trades.closed.count())


def run(candles: pd.DataFrame, fast: int, slow: int, fee: float) -> PeerRun:
    start = time.perf_counter()
    _once(candles, fast, slow, fee)
    warmup = time.perf_counter() - start
    start = time.perf_counter()
    trades = _once(candles, fast, slow, fee)
    return PeerRun(
        "vectorbt 1.2.0", trades, time.perf_counter() - start, f"first call incl. numba compile {warmup:.1f}s"
    )

"""A hypothesis strategy for small synthetic markets: candles with the trades and book snapshots
stamped around them, for causality and streaming-versus-batch properties."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from galfriday.features import BookColumns, TradeColumns

S = 1_000_000_000


@st.composite
def markets(draw: st.DrawFn) -> tuple[dict[str, np.ndarray], TradeColumns, BookColumns]:
    """40-70 one-minute candles (some without volume), up to 200 trades and 100 depth-10 books
    stamped anywhere from the first candle to two minutes after the last."""
    n = draw(st.integers(40, 70))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    close = 0.5 * np.exp(np.cumsum(rng.normal(0, 0.002, n)))
    candles = {
        "timestamp": (1_700_000_000 + 60 * np.arange(n)) * S,
        "open": close,
        "high": close * 1.001,
        "low": close * 0.999,
        "close": close,
        "volume": rng.choice([0.0, 10.0, 250.0], n),
    }
    m = draw(st.integers(0, 200))
    trade_ts = np.sort(candles["timestamp"][0] + rng.integers(0, (n + 2) * 60 * S, m))
    trades = TradeColumns(
        trade_ts,
        rng.uniform(0.4, 0.6, m).round(5).tolist(),
        rng.exponential(100, m).round(8).tolist(),
        rng.random(m) < 0.5,
    )
    k = draw(st.integers(0, 100))
    book_ts = np.sort(candles["timestamp"][0] + rng.integers(0, (n + 2) * 60 * S, k))
    mid = rng.uniform(0.4, 0.6, (k, 1))
    ticks = np.arange(10) * 1e-4
    book = BookColumns(
        book_ts,
        mid - 1e-4 - ticks,
        rng.exponential(50, (k, 10)),
        mid + 1e-4 + ticks,
        rng.exponential(50, (k, 10)),
    )
    return candles, trades, book

"""Synthetic candles: around given closes, and a market a model can actually learn."""

from __future__ import annotations

import numpy as np

from galfriday.prediction.datasets import Dataset, build_dataset
from galfriday.prediction.labels import LabelSpec
from tests.unit.prediction import stubs


def candles_from(closes: list[float], seed: int, wick: float = 0.03) -> dict[str, np.ndarray]:
    """Candles around ``closes``: opens near the previous close, highs/lows up to ``wick`` beyond."""
    rng = np.random.default_rng(seed)
    close = np.asarray(closes)
    open_ = np.concatenate([[close[0]], close[:-1]]) * (1 + rng.normal(0, 0.001, len(close)))
    high = np.maximum(open_, close) * (1 + rng.uniform(0, wick, len(close)))
    low = np.minimum(open_, close) * (1 - rng.uniform(0, wick, len(close)))
    ts = 1_600_000_000 + 300 * np.arange(len(close))
    return {
        "timestamp": ts,
        "open": open_,
        "high": high,
        "low": low,
        "close": close,
        "volume": rng.uniform(1, 9, len(close)),
    }


def mean_reverting(n: int = 1500, seed: int = 5) -> dict[str, np.ndarray]:
    """r[t] = -0.8 · r[t-1] + N(0, 1.5 %): a big down bar is followed by an up bar that beats fees."""
    rng = np.random.default_rng(seed)
    r = np.zeros(n)
    for i in range(1, n):
        r[i] = -0.8 * r[i - 1] + rng.normal(0, 0.015)
    return candles_from(list(np.exp(np.cumsum(r))), seed, wick=0.002)


def learnable_dataset(n: int = 1500, seed: int = 5) -> Dataset:
    return build_dataset(mean_reverting(n, seed), stubs.bars_v1(), LabelSpec(horizon=1), pair="XRP/USD")

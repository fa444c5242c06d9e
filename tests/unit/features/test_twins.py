"""Every streaming indicator equals its batch twin bit for bit, warm-up included (None <-> NaN)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from galfriday.features import indicators as ind

from ._refs import assert_same, feather_candles, talib_reference

Candles = dict[str, np.ndarray]


def _stream(indicator: Any, args: Sequence[Sequence[float]], width: int) -> np.ndarray:
    """Feed rows of ``args`` to ``indicator.update``; collect ``value`` (NaN while it is None)."""
    out = np.full((len(args[0]), width), np.nan)
    for i, row in enumerate(zip(*args, strict=True)):
        indicator.update(*row)
        value = indicator.value
        assert indicator.warm == (value is not None)
        if value is not None:
            out[i] = value
    return out


Case = tuple[Callable[[], Any], Callable[[Candles], list[Any]], Callable[[Candles], Any]]


def close(c: Candles) -> list[list[float]]:
    return [c["close"].tolist()]


def _cases(c: Candles) -> dict[str, Case]:
    typical = ind.typical_prices(c["high"], c["low"], c["close"])
    return {
        "sma": (lambda: ind.SMA(7), close, lambda c: ind.sma(c["close"], 7)),
        "ema": (lambda: ind.EMA(9), close, lambda c: ind.ema(c["close"], 9)),
        "rsi": (lambda: ind.RSI(5), close, lambda c: ind.rsi(c["close"], 5)),
        "roc": (lambda: ind.ROC(3), close, lambda c: ind.roc(c["close"], 3)),
        "momentum": (lambda: ind.Momentum(4), close, lambda c: ind.momentum(c["close"], 4)),
        "logret_std": (lambda: ind.LogReturnStd(6), close, lambda c: ind.log_return_std(c["close"], 6)),
        "macd": (lambda: ind.MACD(3, 8, 4), close, lambda c: np.column_stack(ind.macd(c["close"], 3, 8, 4))),
        "bollinger": (
            lambda: ind.BollingerBands(6, 1.5),
            close,
            lambda c: np.column_stack(ind.bollinger(c["close"], 6, 1.5)),
        ),
        "atr": (
            lambda: ind.ATR(5),
            lambda c: [c["high"].tolist(), c["low"].tolist(), c["close"].tolist()],
            lambda c: ind.atr(c["high"], c["low"], c["close"], 5),
        ),
        "vwap": (
            lambda: ind.RollingVwap(4),
            lambda c: [typical.tolist(), c["volume"].tolist()],
            lambda c: ind.rolling_vwap(typical, c["volume"], 4),
        ),
        "session_vwap": (
            lambda: ind.SessionVwap(3600),
            lambda c: [c["timestamp"].tolist(), typical.tolist(), c["volume"].tolist()],
            lambda c: ind.session_vwap(c["timestamp"], typical, c["volume"], 3600),
        ),
    }


NAMES = list(
    _cases(
        {
            k: np.zeros(1, dtype=np.int64 if k == "timestamp" else float)
            for k in ("timestamp", "open", "high", "low", "close", "volume")
        }
    )
)


def _check(c: Candles, name: str) -> None:
    make, args, batch = _cases(c)[name]
    expected = np.asarray(batch(c), dtype=np.float64)
    if expected.ndim == 1:
        expected = expected[:, None]
    assert_same(_stream(make(), args(c), expected.shape[1]), expected)


@pytest.mark.parametrize("name", NAMES)
def test_twins_on_real_candles(shared_data: Path, name: str) -> None:
    kraken = talib_reference(shared_data, "kraken_XBTUSDT_1m_talib.csv")  # has zero-volume minutes
    kraken["timestamp"] = (kraken.pop("time") * 1e9).astype(np.int64)
    _check(kraken, name)
    _check(feather_candles(shared_data, "XRP_ETH-1m"), name)


@st.composite
def candles(draw: st.DrawFn) -> Candles:
    n = draw(st.integers(0, 80))
    level = draw(st.sampled_from([1e-4, 1.0, 5e4]))
    moves = draw(st.lists(st.sampled_from([-2, -1, 0, 0, 1, 2]), min_size=n, max_size=n))
    close = level * (1 + 0.001 * np.cumsum(moves)) if n else np.zeros(0)
    spread = draw(st.lists(st.floats(0, 0.002), min_size=n, max_size=n))
    volume = draw(st.lists(st.sampled_from([0.0, 0.0, 0.5, 3.0, 1e6]), min_size=n, max_size=n))
    gaps = draw(st.lists(st.sampled_from([60, 60, 600, 7200]), min_size=n, max_size=n))
    return {
        "timestamp": (1_700_000_000 + np.cumsum(np.asarray(gaps, dtype=np.int64))) * 1_000_000_000,
        "open": close,
        "high": close * (1 + np.asarray(spread)),
        "low": close * (1 - np.asarray(spread)),
        "close": close,
        "volume": np.asarray(volume, dtype=np.float64),
    }


@settings(max_examples=60, deadline=None)
@given(candles(), st.sampled_from(NAMES))
def test_twins_on_generated_candles(c: Candles, name: str) -> None:
    _check(c, name)


def test_warm_up_lengths_follow_talib() -> None:
    x = np.linspace(1.0, 2.0, 60)
    first = {
        "sma_20": ind.sma(x, 20),
        "ema_12": ind.ema(x, 12),
        "rsi_14": ind.rsi(x, 14),
        "roc_5": ind.roc(x, 5),
        "atr_14": ind.atr(x + 0.1, x - 0.1, x, 14),
        "macd_12_26_9": ind.macd(x).macd,
        "bb_20": ind.bollinger(x).upper,
        "logret_std_20": ind.log_return_std(x, 20),
    }
    index = {name: int(np.argmax(~np.isnan(v))) for name, v in first.items()}
    assert index == {
        "sma_20": 19,
        "ema_12": 11,
        "rsi_14": 14,
        "roc_5": 5,
        "atr_14": 14,
        "macd_12_26_9": 33,
        "bb_20": 19,
        "logret_std_20": 20,
    }


def test_bollinger_middle_is_the_sma_bit_for_bit() -> None:
    x = 1e5 + np.cumsum(np.random.default_rng(1).normal(0, 10, 500))
    assert_same(ind.bollinger(x, 20, 2.0).middle, ind.sma(x, 20))


def test_vwap_is_nan_for_a_window_without_volume() -> None:
    price = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    volume = np.array([1.0, 0.0, 0.0, 0.0, 2.0])
    assert_same(ind.rolling_vwap(price, volume, 3), np.array([np.nan, np.nan, 1.0, np.nan, 5.0]))
    vw = ind.RollingVwap(3)
    for p, v in zip(price, volume, strict=True):
        vw.update(p, v)
    assert vw.value == 5.0


def test_session_vwap_restarts_at_midnight_utc() -> None:
    day = 86_400 * 1_000_000_000
    ts = np.array([day - 120e9, day - 60e9, day, day + 60e9], dtype=np.int64)
    out = ind.session_vwap(ts, np.array([10.0, 20.0, 30.0, 40.0]), np.array([1.0, 1.0, 0.0, 1.0]))
    assert_same(out, np.array([10.0, 15.0, np.nan, 40.0]))


def test_roc_of_a_zero_price_is_nan_not_zero() -> None:
    r = ind.ROC(1)
    r.update(0.0)
    r.update(1.0)
    assert r.value is not None and math.isnan(r.value)
    assert np.isnan(ind.roc(np.array([0.0, 1.0]), 1)[1])

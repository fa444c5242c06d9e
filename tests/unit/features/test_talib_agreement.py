"""Indicators agree with TA-Lib (a test-only reference) on real candles, to 1e-9 relative after warm-up.

Two sources: the TA-Lib outputs precomputed in ../shared/data/talib-reference (real Kraken XBTUSDT
1 m and XRP/USDT 5 m candles), and TA-Lib run here on every freqtrade candle file. Only the batch
functions are compared: test_twins proves the streaming classes give the same bits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import talib

from galfriday.features import indicators as ind

from ._refs import FEATHERS, TALIB_CSVS, assert_matches_reference, feather_candles, talib_reference


@pytest.mark.parametrize("name", TALIB_CSVS)
def test_precomputed_talib_columns(shared_data: Path, name: str) -> None:
    ref = talib_reference(shared_data, name)
    close, high, low = ref["close"], ref["high"], ref["low"]
    level = float(np.median(close))
    assert_matches_reference(ind.rsi(close, 14), ref["rsi_14"])
    line, signal, hist = ind.macd(close, 12, 26, 9)
    assert_matches_reference(line, ref["macd_12_26_9"], price_level=level)
    assert_matches_reference(signal, ref["macd_signal"], price_level=level)
    assert_matches_reference(hist, ref["macd_hist"], price_level=level)
    upper, middle, lower = ind.bollinger(close, 20, 2.0)
    assert_matches_reference(upper, ref["bb_upper_20_2"])
    assert_matches_reference(middle, ref["bb_middle_20"])
    assert_matches_reference(lower, ref["bb_lower_20_2"])
    assert_matches_reference(ind.atr(high, low, close, 14), ref["atr_14"])
    assert_matches_reference(ind.ema(close, 12), ref["ema_12"])
    assert_matches_reference(ind.sma(close, 20), ref["sma_20"])


def _log_returns_for_talib(close: np.ndarray) -> np.ndarray:
    return np.concatenate([[np.nan], np.log(close[1:] / close[:-1])])


@pytest.mark.parametrize("name", FEATHERS)
def test_talib_on_freqtrade_candles(shared_data: Path, name: str) -> None:
    c = feather_candles(shared_data, name)
    close, high, low = c["close"], c["high"], c["low"]
    level = float(np.median(close))
    assert_matches_reference(ind.rsi(close, 14), talib.RSI(close, 14))
    for ours, ref in zip(ind.macd(close, 12, 26, 9), talib.MACD(close, 12, 26, 9), strict=True):
        assert_matches_reference(ours, ref, price_level=level)
    for ours, ref in zip(ind.bollinger(close, 20, 2.0), talib.BBANDS(close, 20, 2.0, 2.0, 0), strict=True):
        assert_matches_reference(ours, ref)
    assert_matches_reference(ind.atr(high, low, close, 14), talib.ATR(high, low, close, 14))
    assert_matches_reference(ind.ema(close, 12), talib.EMA(close, 12))
    assert_matches_reference(ind.sma(close, 20), talib.SMA(close, 20))
    assert_matches_reference(ind.roc(close, 5), talib.ROC(close, 5))
    assert_matches_reference(ind.momentum(close, 10), talib.MOM(close, 10), price_level=level)
    stdev = talib.STDDEV(_log_returns_for_talib(close), 20, 1.0)
    assert_matches_reference(ind.log_return_std(close, 20), stdev)


@pytest.mark.parametrize(
    ("rsi_n", "ema_n", "bb", "macd", "atr_n"),
    [
        (2, 1, (2, 0.5), (2, 3, 1), 1),
        (7, 50, (10, 1.5), (5, 35, 5), 5),
        (30, 200, (50, 3.0), (19, 39, 12), 30),
    ],
)
def test_other_parameters(
    shared_data: Path, rsi_n: int, ema_n: int, bb: tuple[int, float], macd: tuple[int, int, int], atr_n: int
) -> None:
    c = feather_candles(shared_data, "UNITTEST_BTC-1m")
    close, high, low = c["close"], c["high"], c["low"]
    level = float(np.median(close))
    assert_matches_reference(ind.rsi(close, rsi_n), talib.RSI(close, rsi_n))
    assert_matches_reference(ind.ema(close, ema_n), talib.EMA(close, ema_n))
    for ours, ref in zip(ind.bollinger(close, *bb), talib.BBANDS(close, bb[0], bb[1], bb[1], 0), strict=True):
        assert_matches_reference(ours, ref)
    for ours, ref in zip(ind.macd(close, *macd), talib.MACD(close, *macd), strict=True):
        assert_matches_reference(ours, ref, price_level=level)
    assert_matches_reference(ind.atr(high, low, close, atr_n), talib.ATR(high, low, close, atr_n))


def test_flat_market_rsi_is_neutral_where_talib_says_zero() -> None:
    """Documented difference: while there has been no price change at all (average gain and loss
    both exactly 0, e.g. synthetic bars before a quiet pair's first trade) TA-Lib's RSI is 0,
    "maximally oversold"; ours is 50, neutral. From the first change on they agree."""
    close = np.concatenate([np.full(20, 1.2), np.linspace(1.2, 1.3, 20), np.linspace(1.3, 1.1, 20)])
    ours, ref = ind.rsi(close, 14), talib.RSI(close, 14)
    flat = np.arange(14, 21)  # close[20] is 1.2 too: the first change is at row 21
    assert (ref[flat] == 0).all() and (ours[flat] == 50.0).all()
    assert_matches_reference(ours[21:], ref[21:])

"""Agreement with tulipindicators and the ``ta`` library (bukosabino) where the convention is the
same, and the documented difference — reproduced, not just asserted — where it is not.

Reference values are rounded (tulip to 3-4 decimals, ``ta``'s CSVs to 6-10), so "agree" means
within half a unit of the last printed digit. Where a convention differs, the test rebuilds the
reference with the same smoothing recurrence (``recurrence.smooth``) and the other library's seed:
matching it proves the seed is the only difference, and the gap to ours then shrinks bar by bar.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from galfriday.features import indicators as ind
from galfriday.features.indicators.atr import true_ranges
from galfriday.features.indicators.recurrence import ema_coefficients, smooth, wilder_coefficients

from ._refs import read_csv_columns, tulip_vectors

TULIP_FILES = ("untest.txt", "atoz.txt")


def _tolerance(expected: np.ndarray) -> float:
    """Half a unit of the 4th decimal covers both files' rounding (some atoz values have more)."""
    return 5e-4 if np.allclose(expected, np.round(expected, 3), atol=1e-9) else 5e-5


def _assert_tail(ours: np.ndarray, expected: np.ndarray) -> None:
    """Tulip prints only warm values: they line up with the end of our series."""
    tail = ours[len(ours) - len(expected) :]
    assert not np.isnan(tail).any(), "tulip has values where we are still warming up"
    np.testing.assert_allclose(tail, expected, rtol=0, atol=_tolerance(expected) + 1e-12)


def _tulip(shared_data: Path, file: str, name: str) -> list:
    path = shared_data / "tulipindicators" / file
    try:
        return tulip_vectors(path, name)
    except AssertionError:
        pytest.skip(f"{file} has no {name} vector")


@pytest.mark.parametrize("file", TULIP_FILES)
def test_tulip_same_convention(shared_data: Path, file: str) -> None:
    """RSI, SMA, momentum, Bollinger Bands (population std) and standard deviation: same as ours."""
    for v in _tulip(shared_data, file, "rsi"):
        _assert_tail(ind.rsi(v.inputs[0], int(v.options[0])), v.outputs[0])
    for v in _tulip(shared_data, file, "sma"):
        _assert_tail(ind.sma(v.inputs[0], int(v.options[0])), v.outputs[0])
    for v in _tulip(shared_data, file, "bbands"):
        lower, middle, upper = v.outputs  # tulip's output order
        bands = ind.bollinger(v.inputs[0], int(v.options[0]), v.options[1])
        _assert_tail(bands.lower, lower)
        _assert_tail(bands.middle, middle)
        _assert_tail(bands.upper, upper)
    for v in _tulip(shared_data, file, "stddev"):
        bands = ind.bollinger(v.inputs[0], int(v.options[0]), 1.0)
        _assert_tail(bands.upper - bands.middle, v.outputs[0])


def test_tulip_momentum_and_roc_units(shared_data: Path) -> None:
    """Momentum is the same. Tulip's ROC is a fraction, ours (like TA-Lib's) a percent."""
    (mom,) = _tulip(shared_data, "untest.txt", "mom")
    _assert_tail(ind.momentum(mom.inputs[0], int(mom.options[0])), mom.outputs[0])
    (roc,) = _tulip(shared_data, "untest.txt", "roc")
    _assert_tail(ind.roc(roc.inputs[0], int(roc.options[0])) / 100.0, roc.outputs[0])


def _first_value_ema(x: np.ndarray, period: int, gain: float | None = None) -> np.ndarray:
    gain, decay = ema_coefficients(period) if gain is None else (gain, 1.0 - gain)
    out = np.empty(len(x))
    out[0] = x[0]
    out[1:] = smooth(gain * x[1:], decay, x[0])
    return out


@pytest.mark.parametrize("file", TULIP_FILES)
def test_tulip_ema_seeds_with_the_first_value(shared_data: Path, file: str) -> None:
    """Tulip's EMA starts at x[0] on bar 0; TA-Lib's (ours) starts at the SMA on bar period-1.
    Same recurrence: seeded tulip's way it reproduces tulip, and ours differs by a gap that shrinks
    by (1 - k) per bar."""
    for v in _tulip(shared_data, file, "ema"):
        x, period = v.inputs[0], int(v.options[0])
        theirs = _first_value_ema(x, period)
        _assert_tail(theirs, v.outputs[0])
        gap = np.abs(ind.ema(x, period) - theirs)[period - 1 :]
        assert gap[0] > _tolerance(v.outputs[0])
        _, decay = ema_coefficients(period)
        np.testing.assert_allclose(gap, gap[0] * decay ** np.arange(len(gap)), rtol=1e-9)


def _stockcharts_atr(high: np.ndarray, low: np.ndarray, close: np.ndarray, period: int) -> np.ndarray:
    """ATR seeded with the mean of the first `period` true ranges counting bar 0's high-low."""
    tr = np.concatenate([[high[0] - low[0]], true_ranges(high, low, close)])
    gain, decay = wilder_coefficients(period)
    out = np.full(len(close), np.nan)
    out[period - 1] = math.fsum(tr[:period].tolist()) / period
    out[period:] = smooth(gain * tr[period:], decay, out[period - 1])
    return out


@pytest.mark.parametrize("file", TULIP_FILES)
def test_tulip_atr_seeds_like_stockcharts(shared_data: Path, file: str) -> None:
    """Tulip (like StockCharts) counts bar 0's high-low as a true range and starts at bar period-1;
    TA-Lib (ours) needs a previous close, so it starts at bar period. Reproduced exactly, and the
    gap decays by (period-1)/period per bar."""
    for v in _tulip(shared_data, file, "atr"):
        period = int(v.options[0])
        theirs = _stockcharts_atr(*v.inputs, period)
        _assert_tail(theirs, v.outputs[0])
        ours = ind.atr(*v.inputs, period)
        assert np.isnan(ours[period - 1]) and not np.isnan(theirs[period - 1])
        gap = np.abs(ours - theirs)[period:]
        _, decay = wilder_coefficients(period)
        np.testing.assert_allclose(gap, gap[0] * decay ** np.arange(len(gap)), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("file", TULIP_FILES)
def test_tulip_macd_seeds_every_ema_with_the_first_value(shared_data: Path, file: str) -> None:
    """Tulip runs both EMAs from x[0] and seeds the signal with the first MACD value (all printed from
    bar slow-1); TA-Lib (ours) seeds with SMAs and prints from bar slow+signal-2. For 12/26 tulip
    (and the A-to-Z spreadsheet it copies) also uses Appel's rounded constants 0.15 and 0.075
    instead of 2/13 and 2/27 — TA-Lib keeps those for MACDFIX."""
    for v in _tulip(shared_data, file, "macd"):
        x = v.inputs[0]
        fast, slow, signal = (int(o) for o in v.options)
        k_fast, k_slow = (0.15, 0.075) if (fast, slow) == (12, 26) else (None, None)
        line = (_first_value_ema(x, fast, k_fast) - _first_value_ema(x, slow, k_slow))[slow - 1 :]
        sig = _first_value_ema(line, signal)
        _assert_tail(line, v.outputs[0])
        _assert_tail(sig, v.outputs[1])
        _assert_tail(line - sig, v.outputs[2])
        ours = ind.macd(x, fast, slow, signal).macd
        assert int(np.argmax(~np.isnan(ours))) == slow + signal - 2
        assert np.abs(ours[slow + signal - 2 :] - line[signal - 1 :]).max() > _tolerance(v.outputs[0])


def _buko(shared_data: Path, name: str) -> dict[str, np.ndarray]:
    return read_csv_columns(shared_data / "bukosabino-ta" / name)


def test_ta_bollinger_bands_population_std(shared_data: Path) -> None:
    """``ta`` uses the population standard deviation too: same bands (its CSV has 6 decimals)."""
    c = _buko(shared_data, "cs-bbands.csv")
    bands = ind.bollinger(c["Close"], 20, 2.0)
    for ours, theirs in (
        (bands.middle, c["MiddleBand"]),
        (bands.upper, c["HighBand"]),
        (bands.lower, c["LowBand"]),
    ):
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=5e-6)


def test_ta_vwap_over_a_window_of_bars(shared_data: Path) -> None:
    """``ta``'s VWAP (window 14, typical price) equals our rolling VWAP once the window is full; it
    also prints partial windows before that, which we leave NaN."""
    c = _buko(shared_data, "cs-vwap.csv")
    typical = ind.typical_prices(c["High"], c["Low"], c["Close"])
    ours = ind.rolling_vwap(typical, c["Volume"], 14)
    assert np.isnan(ours[:13]).all()
    np.testing.assert_allclose(ours[13:], c["vwap"][13:], rtol=1e-12)


def test_ta_rsi_starts_its_averages_from_zero(shared_data: Path) -> None:
    """``ta`` starts Wilder's averages at 0 on bar 0 instead of the mean of the first 14 changes
    (TA-Lib, StockCharts, ours): reproduced with the same recurrence. Its RSI differs from ours by
    points; the averages' gap decays by 13/14 per bar."""
    c = _buko(shared_data, "cs-rsi.csv")
    change = np.diff(c["Close"])
    gain, decay = wilder_coefficients(14)
    avg_gain = smooth(gain * np.where(change > 0, change, 0.0), decay, 0.0)
    avg_loss = smooth(gain * np.where(change < 0, -change, 0.0), decay, 0.0)
    np.testing.assert_allclose(avg_gain, c["Avg Gain"][1:], atol=5e-7)
    np.testing.assert_allclose(avg_loss, c["Avg Loss"][1:], atol=5e-7)
    theirs = c["RSI"][14:]
    np.testing.assert_allclose(100 * avg_gain[13:] / (avg_gain[13:] + avg_loss[13:]), theirs, atol=5e-6)
    assert np.abs(ind.rsi(c["Close"], 14)[14:] - theirs).max() > 1.0
    ours = ind.RSI(14)
    gaps = []
    for i, close in enumerate(c["Close"].tolist()):
        ours.update(close)
        if ours.warm:
            gaps.append(ours.avg_gain - avg_gain[i - 1])
    np.testing.assert_allclose(gaps, gaps[0] * decay ** np.arange(len(gaps)), rtol=1e-9, atol=1e-15)


def test_ta_macd_seeds_emas_with_the_first_close(shared_data: Path) -> None:
    """``ta`` (pandas ewm, adjust=False) seeds both EMAs with the first close: reproduced; our
    TA-Lib-seeded MACD line differs by ~1e-4 at the end of these 124 bars."""
    c = _buko(shared_data, "cs-macd.csv")
    close = c["Close"]
    short, long = _first_value_ema(close, 12), _first_value_ema(close, 26)
    np.testing.assert_allclose(short, c["short_ema"], atol=5e-8)
    np.testing.assert_allclose(long, c["long_ema"], atol=5e-8)
    np.testing.assert_allclose((short - long)[1:], c["MACD_line"][1:], atol=5e-10)
    tail_gap = abs(ind.macd(close).macd[-1] - c["MACD_line"][-1])
    assert 1e-6 < tail_gap < 1e-3


@pytest.mark.parametrize(("name", "period"), [("cs-atr.csv", 14), ("cs-atr2.csv", 10)])
def test_ta_atr_seeds_like_stockcharts(shared_data: Path, name: str, period: int) -> None:
    """StockCharts' ATR (``ta``'s test data) counts bar 0's high-low in the seed, one bar before
    TA-Lib: reproduced; ours differs by ~0.01 at first, decaying by (period-1)/period per bar."""
    c = _buko(shared_data, name)
    theirs = _stockcharts_atr(c["High"], c["Low"], c["Close"], period)
    np.testing.assert_allclose(theirs[period - 1 :], c["ATR"][period - 1 :], atol=5e-10)
    gap = np.abs(ind.atr(c["High"], c["Low"], c["Close"], period) - theirs)[period:]
    assert gap[0] > 1e-3 and gap[-1] < gap[0]

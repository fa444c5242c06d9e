"""Anchored rolling sums: streaming equals batch bit for bit, and the error never grows with length."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from galfriday.features.indicators.window_sums import WindowSums, window_sums

from ._refs import assert_same

EPS = np.finfo(float).eps


def _stream(x: np.ndarray, window: int, centred: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sums = WindowSums(window, centred=centred, squares=True)
    out = np.full((3, len(x)), np.nan)
    for i, v in enumerate(x.tolist()):
        sums.update(v)
        if sums.full:
            out[:, i] = sums.shift, sums.sum, sums.sum_sq
    return out[0], out[1], out[2]


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


@given(st.lists(finite, max_size=120), st.integers(1, 25), st.booleans())
def test_streaming_equals_batch(values: list[float], window: int, centred: bool) -> None:
    x = np.array(values, dtype=np.float64)
    shift, s1, s2 = window_sums(x, window, centred=centred, squares=True)
    stream = _stream(x, window, centred)
    assert_same(stream[1], s1)
    assert_same(stream[2], s2)
    full = ~np.isnan(s1)
    assert_same(stream[0][full], shift[full])


def test_sums_are_nan_until_the_window_is_full_and_exact_at_each_anchor() -> None:
    x = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    shift, s1, _ = window_sums(x, 3, centred=False)
    assert np.isnan(s1[:2]).all()
    assert s1[2] == math.fsum([0.1, 0.2, 0.3]) and s1[5] == math.fsum([0.4, 0.5, 0.6])
    assert (shift[2:] == 0).all()


def _error_bound(x: np.ndarray, shift: float, row: int, window: int) -> float:
    """An error bound that does not depend on the series' length: the sums were exact at the last
    anchor (at most `window` rows ago) and have taken at most `window` delta steps since, each with
    two roundings of numbers no larger than window·D, D = max |x - shift| over the last two windows."""
    deviation = float(np.abs(x[max(row - 2 * window + 1, 0) : row + 1] - shift).max())
    return (window + 2) * window * EPS * deviation


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([1e-5, 0.5, 1e5]), st.sampled_from([5, 20, 100]))
def test_no_drift_over_a_million_updates(seed: int, level: float, window: int) -> None:
    rng = np.random.default_rng(seed)
    x = level * np.exp(np.cumsum(rng.normal(0, 1e-3, 1_000_000)))  # a price path
    shift, s1, s2 = window_sums(x, window, squares=True)
    rows = np.concatenate([np.arange(window - 1, 3000, 7), np.arange(len(x) - 3000, len(x), 7)])
    for i in rows.tolist():
        d = x[i - window + 1 : i + 1] - shift[i]
        bound = _error_bound(x, shift[i], i, window)
        assert abs(s1[i] - math.fsum(d.tolist())) <= bound
        assert abs(s2[i] - math.fsum((d * d).tolist())) <= bound * 2 * float(np.abs(d).max())


def test_a_naive_running_sum_keeps_the_error_of_a_spike_forever() -> None:
    """Why anchors: with add-new-subtract-old alone, one huge value leaves its rounding error in the
    sum long after it left the window; the anchored sum is exact again at the next anchor."""
    rng = np.random.default_rng(7)
    window = 20
    x = 1.0 + rng.normal(0, 1e-3, 100_000)
    x[1000] = 1e12
    delta = x.copy()
    delta[window:] -= x[:-window]
    naive = np.cumsum(delta)  # s += x_t - x_(t-window), strictly sequential
    shift, s1, _ = window_sums(x, window, centred=False)
    for row in (2000, 50_000, len(x) - 1):
        exact = math.fsum(x[row - window + 1 : row + 1].tolist())
        assert abs(s1[row] - exact) <= _error_bound(x, shift[row], row, window)
        assert abs(naive[row] - exact) > 1e-6


def test_streaming_equals_batch_over_a_million_updates() -> None:
    rng = np.random.default_rng(3)
    x = 0.5 * np.exp(np.cumsum(rng.normal(0, 1e-3, 1_000_000)))
    sums = WindowSums(20, squares=True)
    for v in x.tolist():
        sums.update(v)
    _, s1, s2 = window_sums(x, 20, squares=True)
    assert (sums.sum, sums.sum_sq) == (s1[-1], s2[-1])

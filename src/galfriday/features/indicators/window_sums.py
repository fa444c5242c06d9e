"""Rolling window sums that never drift, with a batch twin that gives the same bits.

A running sum kept by "add the new value, subtract the one that left" carries its rounding errors
forever; over millions of bars they add up. Here the sums are recomputed exactly every ``window``
updates with ``math.fsum`` (correctly rounded, so the ring buffer's order does not matter), which is
amortised O(1) per update, and moved by one delta per update in between. The error therefore never
exceeds ``window`` roundings, however long the series.

Centring: at each recomputation (an *anchor*) the newest value becomes the ``shift`` and the sums are
of ``x - shift``. Prices stay close to the shift until the next anchor, so sums of squares stay small
and a variance does not suffer the cancellation of ``E[x²] - E[x]²`` on prices far from zero (the way
TA-Lib's own standard deviation loses about half its digits on bitcoin prices).

The batch twin performs the very same floating-point operations: the anchors with ``fsum``, the
deltas elementwise, and the running sums between anchors with ``np.cumsum`` along the rows of a
(segments × window) matrix, which numpy accumulates strictly left to right.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

_fsum = math.fsum


class WindowSums:
    """Sums of ``x - shift`` (and of its squares) over the last ``window`` values; NaN until full."""

    __slots__ = ("_buf", "_count", "_pos", "centred", "shift", "squares", "sum", "sum_sq", "window")

    def __init__(self, window: int, *, centred: bool = True, squares: bool = False) -> None:
        if window < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        self.window = window
        self.centred = centred
        self.squares = squares
        self._buf = [0.0] * window
        self._pos = 0
        self._count = 0
        self.shift = 0.0
        self.sum = math.nan
        self.sum_sq = math.nan

    @property
    def full(self) -> bool:
        return self._count >= self.window

    def update(self, x: float) -> None:
        buf = self._buf
        pos = self._pos
        old = buf[pos]
        buf[pos] = x
        pos += 1
        if pos == self.window:
            pos = 0
        self._pos = pos
        self._count += 1
        if self._count < self.window:
            return
        if pos == 0:  # every `window` updates, starting with the first full window: exact anchor
            c = x if self.centred else 0.0
            self.shift = c
            self.sum = _fsum([v - c for v in buf])
            if self.squares:
                self.sum_sq = _fsum([(v - c) * (v - c) for v in buf])
            return
        c = self.shift
        d_new = x - c
        d_old = old - c
        self.sum = self.sum + (d_new - d_old)
        if self.squares:
            self.sum_sq = self.sum_sq + (d_new * d_new - d_old * d_old)

    def mean(self) -> float:
        return self.shift + self.sum / self.window

    def pvariance(self) -> float:
        """Population variance (ddof=0); rounding below zero is clamped to 0."""
        m = self.sum / self.window
        v = self.sum_sq / self.window - m * m
        return 0.0 if v < 0 else v


def window_sums(
    x: np.ndarray, window: int, *, centred: bool = True, squares: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batch twin of ``WindowSums``: (shift, sum, sum_sq) per row, NaN before the first full window
    (sum_sq is all NaN unless ``squares``)."""
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    shift = np.full(n, np.nan)
    s1 = np.full(n, np.nan)
    s2 = np.full(n, np.nan)
    first = window - 1
    if n < window:
        return shift, s1, s2
    segments = (n - first + window - 1) // window
    anchors = first + window * np.arange(segments)
    c = x[anchors] if centred else np.zeros(segments)
    cc = c[:, None]
    rows = sliding_window_view(x, window)[anchors - first] - cc
    padded = np.concatenate([x, np.zeros(window)])
    new = padded[first : first + segments * window].reshape(segments, window)[:, 1:] - cc
    old = np.concatenate([[0.0], padded])[: segments * window].reshape(segments, window)[:, 1:] - cc
    used = n - first
    shift[first:] = np.repeat(c, window)[:used]
    s1[first:] = _anchored_cumsum([_fsum(r) for r in rows.tolist()], new - old)[:used]
    if squares:
        anchor_sq = [_fsum(r) for r in (rows * rows).tolist()]
        s2[first:] = _anchored_cumsum(anchor_sq, new * new - old * old)[:used]
    return shift, s1, s2


def _anchored_cumsum(anchor_sums: list[float], deltas: np.ndarray) -> np.ndarray:
    segment = np.empty((len(anchor_sums), deltas.shape[1] + 1))
    segment[:, 0] = anchor_sums
    segment[:, 1:] = deltas
    return np.cumsum(segment, axis=1).ravel()


def window_mean(shift: np.ndarray, s1: np.ndarray, window: int) -> np.ndarray:
    return shift + s1 / window


def window_pvariance(s1: np.ndarray, s2: np.ndarray, window: int) -> np.ndarray:
    m = s1 / window
    v = s2 / window - m * m
    v[v < 0] = 0.0
    return v

"""MACD in TA-Lib's convention, so the first output is at index ``slow + signal - 2`` (33 for 12/26/9).

TA-Lib does not run the fast EMA from the start of the series: both EMAs are seeded at index
``slow - 1``, the slow one with the mean of the first ``slow`` values and the fast one with the mean of
the ``fast`` values ending at that same index. The MACD line starts there; the signal line is an EMA
of it seeded with the mean of its first ``signal`` values, and all three outputs (line, signal,
histogram = line - signal) are published from the signal's first value. (tulipindicators and the
``ta`` library seed every EMA with the first value instead, which gives different numbers for
hundreds of bars.)
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from galfriday.features.indicators.moving_average import seeded_ema
from galfriday.features.indicators.recurrence import ema_coefficients, smooth


class MacdValue(NamedTuple):
    macd: float
    signal: float
    hist: float


def check_macd_periods(fast: int, slow: int, signal: int) -> None:
    if not 2 <= fast < slow:
        raise ValueError(f"MACD needs 2 <= fast < slow, got fast={fast} slow={slow}")
    if signal < 1:
        raise ValueError(f"MACD signal period must be >= 1, got {signal}")


class MACD:
    """Streaming MACD; ``value`` is None until index ``slow + signal - 2``."""

    __slots__ = (
        "_fast_k",
        "_lines",
        "_sig_k",
        "_slow_k",
        "_warmup",
        "fast",
        "fast_ema",
        "signal",
        "signal_ema",
        "slow",
        "slow_ema",
    )

    def __init__(self, fast: int = 12, slow: int = 26, signal: int = 9) -> None:
        check_macd_periods(fast, slow, signal)
        self.fast, self.slow, self.signal = fast, slow, signal
        self._fast_k = ema_coefficients(fast)
        self._slow_k = ema_coefficients(slow)
        self._sig_k = ema_coefficients(signal)
        self._warmup: list[float] | None = []  # the first `slow` values, for both seeds
        self._lines: list[float] | None = []  # the first `signal` MACD values, for the signal seed
        self.fast_ema = self.slow_ema = self.signal_ema = math.nan

    def update(self, x: float) -> None:
        warmup = self._warmup
        if warmup is not None:
            warmup.append(x)
            if len(warmup) < self.slow:
                return
            self.slow_ema = math.fsum(warmup) / self.slow
            self.fast_ema = math.fsum(warmup[-self.fast :]) / self.fast
            self._warmup = None
        else:
            gain, decay = self._fast_k
            self.fast_ema = decay * self.fast_ema + gain * x
            gain, decay = self._slow_k
            self.slow_ema = decay * self.slow_ema + gain * x
        line = self.fast_ema - self.slow_ema
        lines = self._lines
        if lines is None:
            gain, decay = self._sig_k
            self.signal_ema = decay * self.signal_ema + gain * line
            return
        lines.append(line)
        if len(lines) == self.signal:
            self.signal_ema = math.fsum(lines) / self.signal
            self._lines = None

    @property
    def warm(self) -> bool:
        return self._lines is None

    @property
    def value(self) -> MacdValue | None:
        if self._lines is not None:
            return None
        line = self.fast_ema - self.slow_ema
        return MacdValue(line, self.signal_ema, line - self.signal_ema)


def macd(x: np.ndarray, fast: int = 12, slow: int = 26, signal: int = 9) -> MacdValue:
    """Batch twin of ``MACD``: three arrays (line, signal, histogram), NaN during warm-up."""
    check_macd_periods(fast, slow, signal)
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    line = seeded_ema(x, fast, slow - fast) - seeded_ema(x, slow, 0)  # NaN before index slow-1
    sig = np.full(n, np.nan)
    start = slow - 1
    first = start + signal - 1
    if n > first:
        gain, decay = ema_coefficients(signal)
        seed = math.fsum(line[start : first + 1].tolist()) / signal
        sig[first] = seed
        sig[first + 1 :] = smooth(gain * line[first + 1 :], decay, seed)
    line[:first] = np.nan
    return MacdValue(line, sig, line - sig)

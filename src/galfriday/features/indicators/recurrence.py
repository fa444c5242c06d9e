"""First-order smoothing ``y = decay·y + gain·x`` (EMA, Wilder), streaming and batch, bit-identical.

The streaming indicators evaluate ``decay * y + gain * x`` in Python: two roundings for the products
and one for the sum. The batch twin multiplies ``gain * x`` elementwise with numpy (the same
rounding) and runs the recurrence with ``scipy.signal.lfilter(b=[1], a=[1, -decay])`` in C, which
computes exactly ``round(round(decay * y) + gx)`` per step: because b0 is 1 and the other
coefficient of b is 0, not even an FMA-contracting compiler can change a bit. A recurrence cannot be
vectorised any other way without changing the arithmetic.

The smoothing constants come from here so both halves use the same doubles: TA-Lib's EMA uses
``k = 2 / (n + 1)``; Wilder's RSI and ATR use ``1 / n``.
"""

from __future__ import annotations

import numpy as np


def ema_coefficients(period: int) -> tuple[float, float]:
    """(gain, decay) of an EMA of ``period`` in TA-Lib's convention."""
    gain = 2.0 / (period + 1)
    return gain, 1.0 - gain


def wilder_coefficients(period: int) -> tuple[float, float]:
    """(gain, decay) of Wilder's smoothing (RSI, ATR): ``y = ((n-1)·y + x) / n`` as ``decay·y + gain·x``."""
    return 1.0 / period, (period - 1) / period


def smooth(gained: np.ndarray, decay: float, y0: float) -> np.ndarray:
    """``y[i] = decay·y[i-1] + gained[i]`` with ``y[-1] = y0``; ``gained`` is already ``gain·x``."""
    if len(gained) == 0:
        return np.empty(0)
    from scipy.signal import lfilter  # here: importing scipy.signal takes ~1 s; streaming never needs it

    return lfilter([1.0], [1.0, -decay], gained, zi=[decay * y0])[0]

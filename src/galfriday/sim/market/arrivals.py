"""Event times: a self-exciting (Hawkes) process for trades, a Poisson process for book updates.

Trades come in bursts: each trade raises the intensity by ``jump`` (per second), which decays
exponentially at rate ``decay``. Inter-arrival times are drawn exactly (no thinning), following
Dassios & Zhao (2013), "Exact simulation of Hawkes process with exponentially decaying intensity":
the next event is the earlier of a baseline arrival and an arrival caused by the excess intensity.
"""

from __future__ import annotations

import math
import random

NS_PER_S = 1_000_000_000


class HawkesArrivals:
    __slots__ = ("_baseline", "_decay", "_excess", "_jump", "_rng")

    def __init__(self, baseline_hz: float, jump_hz: float, decay_hz: float, rng: random.Random) -> None:
        self._baseline, self._jump, self._decay, self._rng = baseline_hz, jump_hz, decay_hz, rng
        self._excess = 0.0  # intensity above the baseline right after the last event

    def next_gap_ns(self) -> int:
        """Time to the next trade (at least 1 ns); the intensity then jumps."""
        rng = self._rng
        gap = rng.expovariate(self._baseline)
        if self._excess > 0.0:
            d = 1.0 + self._decay * math.log(1.0 - rng.random()) / self._excess
            if d > 0.0:
                gap = min(gap, -math.log(d) / self._decay)
        self._excess = self._excess * math.exp(-self._decay * gap) + self._jump
        return max(1, int(gap * NS_PER_S))


class PoissonArrivals:
    __slots__ = ("_rate", "_rng")

    def __init__(self, rate_hz: float, rng: random.Random) -> None:
        self._rate, self._rng = rate_hz, rng

    def next_gap_ns(self) -> int:
        return max(1, int(self._rng.expovariate(self._rate) * NS_PER_S))

"""GARCH(1,1) variance for per-trade log-returns: big moves beget big moves (volatility clusters)."""

from __future__ import annotations

import math
import random


class Garch11:
    """``h' = omega + alpha * r**2 + beta * h``, started at the unconditional variance."""

    __slots__ = ("_alpha", "_beta", "_omega", "_rng", "variance")

    def __init__(self, omega: float, alpha: float, beta: float, rng: random.Random) -> None:
        self._omega, self._alpha, self._beta, self._rng = omega, alpha, beta, rng
        self.variance = omega / (1.0 - alpha - beta)

    def draw(self) -> float:
        """The next log-return; updates the variance for the one after."""
        r = math.sqrt(self.variance) * self._rng.gauss(0.0, 1.0)
        self.variance = self._omega + self._alpha * r * r + self._beta * self.variance
        return r

"""Small streaming indicators for the built-in rule strategies: SMA, RSI and ATR, O(1) per bar.

They follow TA-Lib's conventions (tested against TA-Lib's own output on real candles): RSI and
ATR use Wilder's smoothing seeded with the simple mean of the first ``period`` values; ATR's
first true range is the second bar's (it needs a previous close). Floats, like every feature:
these decide *whether* to trade, never amounts of money.
"""

from __future__ import annotations

from collections import deque


class Sma:
    def __init__(self, period: int) -> None:
        if period < 1:
            raise ValueError(f"SMA period must be >= 1, got {period}")
        self.period = period
        self._window: deque[float] = deque()
        self._sum = 0.0
        self.value: float | None = None

    def update(self, x: float) -> float | None:
        self._window.append(x)
        self._sum += x
        if len(self._window) > self.period:
            self._sum -= self._window.popleft()
        if len(self._window) == self.period:
            self.value = self._sum / self.period
        return self.value


class WilderRsi:
    def __init__(self, period: int = 14) -> None:
        if period < 1:
            raise ValueError(f"RSI period must be >= 1, got {period}")
        self.period = period
        self._prev: float | None = None
        self._seen = 0
        self._gain = 0.0
        self._loss = 0.0
        self.value: float | None = None

    def update(self, close: float) -> float | None:
        prev, self._prev = self._prev, close
        if prev is None:
            return None
        change = close - prev
        gain, loss = max(change, 0.0), max(-change, 0.0)
        n = self.period
        self._seen += 1
        if self._seen <= n:
            self._gain += gain / n
            self._loss += loss / n
            if self._seen < n:
                return None
        else:
            self._gain = (self._gain * (n - 1) + gain) / n
            self._loss = (self._loss * (n - 1) + loss) / n
        total = self._gain + self._loss
        self.value = 100.0 * self._gain / total if total > 0 else 50.0
        return self.value


class WilderAtr:
    def __init__(self, period: int = 14) -> None:
        if period < 1:
            raise ValueError(f"ATR period must be >= 1, got {period}")
        self.period = period
        self._prev_close: float | None = None
        self._seen = 0
        self.value: float | None = None
        self._seed = 0.0

    def update(self, high: float, low: float, close: float) -> float | None:
        prev, self._prev_close = self._prev_close, close
        if prev is None:
            return None
        true_range = max(high - low, abs(high - prev), abs(low - prev))
        n = self.period
        self._seen += 1
        if self._seen < n:
            self._seed += true_range
            return None
        if self._seen == n:
            self.value = (self._seed + true_range) / n
        else:
            assert self.value is not None
            self.value = (self.value * (n - 1) + true_range) / n
        return self.value

"""HALT on a violent move: the price range of a pair within ``volatility_halt.window_s`` (300 s)
reaches ``volatility_halt.max_move_pct`` (5 %) of the window's low.

Where models were trained and fills were simulated, prices did not do this; SL orders slip and
spreads blow out. Prices are book mids and, for bar-driven sessions, each bar's low, high and
close. Measuring the range against the low (rather than the high) reads the larger of the two
possible percentages, so the check errs towards halting. Min and max over the window are kept
in monotonic deques: O(1) amortised per price, whatever the book update rate.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable
from decimal import Decimal

from galfriday.config.sections.risk import VolatilityHaltSettings
from galfriday.core.clock import NS_PER_S
from galfriday.core.events import BarClosed, OrderBookUpdated
from galfriday.risk.triggers.base import Fire, Subscription

_Sample = tuple[int, int, Decimal]  # (seq, ts_ns, price): seq makes every sample distinct


class RollingRange:
    """Lowest and highest price of the last ``span_ns``."""

    def __init__(self, span_ns: int) -> None:
        self._span = span_ns
        self._samples: deque[_Sample] = deque()
        self._lows: deque[_Sample] = deque()
        self._highs: deque[_Sample] = deque()
        self._seq = itertools.count()

    def add(self, ts_ns: int, price: Decimal) -> tuple[Decimal, Decimal]:
        sample = (next(self._seq), ts_ns, price)
        self._samples.append(sample)
        while self._lows and self._lows[-1][2] >= price:
            self._lows.pop()
        self._lows.append(sample)
        while self._highs and self._highs[-1][2] <= price:
            self._highs.pop()
        self._highs.append(sample)
        cutoff = ts_ns - self._span
        while self._samples[0][1] < cutoff:
            old = self._samples.popleft()
            if self._lows[0] is old:
                self._lows.popleft()
            if self._highs[0] is old:
                self._highs.popleft()
        return self._lows[0][2], self._highs[0][2]


class VolatilityTrigger:
    name = "volatility"

    def __init__(self, settings: VolatilityHaltSettings, fire: Fire) -> None:
        self._enabled = settings.enabled
        self._span_ns = settings.window_s * NS_PER_S
        self._window_s = settings.window_s
        self._limit = settings.max_move_pct
        self._fire = fire
        self._ranges: dict[str, RollingRange] = {}
        self._fired: set[str] = set()

    def subscriptions(self) -> Iterable[Subscription]:
        if not self._enabled:
            return ()
        return ((OrderBookUpdated, self.on_book), (BarClosed, self.on_bar))

    def on_book(self, event: OrderBookUpdated) -> None:
        if event.bids and event.asks:
            self.observe(event.pair, event.ts_event, (event.bids[0].price + event.asks[0].price) / 2)

    def on_bar(self, event: BarClosed) -> None:
        for price in (event.low, event.high, event.close):
            self.observe(event.pair, event.ts_event, price)

    def observe(self, pair: str, ts_ns: int, price: Decimal) -> None:
        window = self._ranges.get(pair)
        if window is None:
            window = self._ranges[pair] = RollingRange(self._span_ns)
        low, high = window.add(ts_ns, price)
        move = (high - low) / low
        if move < self._limit:
            self._fired.discard(pair)
        elif pair not in self._fired:
            self._fired.add(pair)
            self._fire(
                self.name,
                f"{pair} moved {move * 100:.2f}% within {self._window_s}s ({low} to {high}); "
                f"limit {self._limit * 100:.2f}%",
            )

    def reset(self) -> None:
        self._fired.clear()

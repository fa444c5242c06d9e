"""Everything the engine keeps for one pair: its calculators, the book it sees, its trade windows.

``on_bar`` returns the pair's feature vector at the bar's close (raw outputs in plan order, imputed
and scaled), or None for a bar that is not newer than the last one (a duplicate or a replay after a
reconnect), which would otherwise be counted twice by every indicator.
"""

from __future__ import annotations

import math

from galfriday.core.events import BarClosed, MarketTradeReceived, OrderBookUpdated
from galfriday.core.types import Side
from galfriday.features import bar_calculators, book_features
from galfriday.features.catalogue import Source
from galfriday.features.indicators import BookFloats, TradeFlow
from galfriday.features.plan import FeaturePlan
from galfriday.features.transforms import VectorTransform


class PairFeatures:
    """One pair's streaming state for one feature plan."""

    def __init__(self, plan: FeaturePlan, *, interval_ns: int, trade_grace_s: float) -> None:
        self._columns = plan.columns
        self._raw: list[tuple[float, ...]] = [()] * len(plan.instances)
        self._bars = [(i, bar_calculators.streaming(key)) for i, key in plan.instances_of(Source.BAR)]
        self._book_keys = plan.instances_of(Source.BOOK)
        self._book = book_features.BookHistory(interval_ns) if self._book_keys else None
        self._book_levels = book_features.levels_needed(self._book_keys)
        self._flows = [
            (i, TradeFlow(key.param("window_s"), grace_s=trade_grace_s))
            for i, key in plan.instances_of(Source.TRADE)
        ]
        self._transform = VectorTransform(plan.feature_set.features)
        self.last_open_ns: int | None = None
        self.complete = False  # the last vector had no NaN

    def on_book(self, event: OrderBookUpdated) -> None:
        if self._book is not None:
            self._book.add(event)

    def on_trade(self, event: MarketTradeReceived) -> None:
        is_buy = event.side is Side.BUY
        for _, flow in self._flows:
            flow.add(event.ts_event, event.price, event.qty, is_buy)

    def on_bar(self, bar: BarClosed) -> list[float] | None:
        if self.last_open_ns is not None and bar.open_time_ns <= self.last_open_ns:
            return None
        self.last_open_ns = bar.open_time_ns
        raw = self._raw
        inputs = bar_calculators.BarInputs.of(bar)
        for i, calc in self._bars:
            calc.update(inputs)
            raw[i] = calc.outputs()
        close_ns = bar.ts_event
        if self._book is not None:
            event = self._book.at(close_ns)
            book = None if event is None else BookFloats.of(event.bids, event.asks, self._book_levels)
            for i, key in self._book_keys:
                raw[i] = book_features.evaluate(key, book)
        for i, flow in self._flows:
            raw[i] = flow.at(close_ns)
        values = self._transform.apply([raw[i][j] for i, j in self._columns])
        self.complete = all(map(math.isfinite, values))
        return values

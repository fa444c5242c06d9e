"""Order-book calculators: the book a bar's features see, and the features of that book.

A bar closing at ``t`` sees the latest ``OrderBookUpdated`` stamped at or before ``t`` — never one
stamped later, even when the live bus delivered it before the bar (no look-ahead). ``BookHistory``
keeps just enough to answer that in O(1): bar closes fall on a grid of the bar interval (learnt from
the first close asked for), so per grid interval only the latest update can still be the latest
before some future close; earlier ones in the same interval are dropped.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from galfriday.core.events import OrderBookUpdated
from galfriday.features.indicators import (
    NO_TOP,
    BookFloats,
    depth,
    depth_batch,
    imbalance,
    imbalance_batch,
    top_of_book,
    top_of_book_batch,
)
from galfriday.features.spec import InstanceKey


class BookHistory:
    """The latest book update at or before each (non-decreasing) bar close time asked for."""

    __slots__ = ("_current", "_interval_ns", "_offset", "_pending")

    def __init__(self, interval_ns: int) -> None:
        self._interval_ns = interval_ns
        self._offset: int | None = None  # bar closes are offset + k * interval; None until one is seen
        self._current: OrderBookUpdated | None = None
        self._pending: deque[tuple[int, OrderBookUpdated]] = deque()  # (grid bucket, update), by time

    def _bucket(self, ts: int) -> int:
        """The index of the first bar close at or after ``ts`` (before the grid is known, ``ts``)."""
        if self._offset is None:
            return ts
        return -(-(ts - self._offset) // self._interval_ns)

    def add(self, event: OrderBookUpdated) -> None:
        ts = event.ts_event
        if self._current is not None and ts < self._current.ts_event:
            return  # older than the book already in use: no later close can want it
        self._insert(self._bucket(ts), event)

    def _insert(self, bucket: int, event: OrderBookUpdated) -> None:
        pending = self._pending
        i = len(pending)
        while i and pending[i - 1][0] > bucket:  # out of order (rare): find its place
            i -= 1
        if i and pending[i - 1][0] == bucket:
            if event.ts_event >= pending[i - 1][1].ts_event:
                pending[i - 1] = (bucket, event)
        else:
            pending.insert(i, (bucket, event))

    def at(self, t_ns: int) -> OrderBookUpdated | None:
        if self._offset is None:
            self._offset = t_ns % self._interval_ns
            unaligned = list(self._pending)
            self._pending.clear()
            for _, event in unaligned:
                self._insert(self._bucket(event.ts_event), event)
        pending = self._pending
        while pending and pending[0][1].ts_event <= t_ns:
            self._current = pending.popleft()[1]
        return self._current


def levels_needed(keys: list[tuple[int, InstanceKey]]) -> int:
    """How many levels per side the book features of a plan read (at least the best one)."""
    return max([1, *(key.param("levels") for _, key in keys if key.calculator != "book_top")])


def evaluate(key: InstanceKey, book: BookFloats | None) -> tuple[float, ...]:
    """The outputs of book calculator ``key`` on ``book`` (all NaN when there is no book yet)."""
    if key.calculator == "book_top":
        return tuple(top_of_book(book)) if book is not None else tuple(NO_TOP)
    if key.calculator in ("book_imbalance", "book_depth"):
        if book is None:
            return (math.nan,) if key.calculator == "book_imbalance" else (math.nan, math.nan)
        levels = key.param("levels")
        bid, ask = depth(book.bid_qty, levels), depth(book.ask_qty, levels)
        return (imbalance(bid, ask),) if key.calculator == "book_imbalance" else (bid, ask)
    raise KeyError(f"{key.calculator!r} is not a book calculator")


class BookColumns:
    """Book snapshots for batch computation: ``ts_ns`` (non-decreasing) and (rows × levels) arrays of
    bid/ask prices and quantities, best level first, padded with NaN prices and zero quantities."""

    def __init__(
        self,
        ts_ns: np.ndarray,
        bid_px: np.ndarray,
        bid_qty: np.ndarray,
        ask_px: np.ndarray,
        ask_qty: np.ndarray,
    ) -> None:
        self.ts_ns = np.asarray(ts_ns, dtype=np.int64)
        self.bid_px, self.bid_qty, self.ask_px, self.ask_qty = (
            np.atleast_2d(np.asarray(a, dtype=np.float64)) for a in (bid_px, bid_qty, ask_px, ask_qty)
        )
        rows = len(self.ts_ns)
        if any(a.shape[0] != rows for a in (self.bid_px, self.bid_qty, self.ask_px, self.ask_qty)):
            raise ValueError("book arrays need one row per timestamp")
        if rows > 1 and (np.diff(self.ts_ns) < 0).any():
            raise ValueError("book snapshots must be in non-decreasing time order")

    def latest_at(self, t_ns: np.ndarray) -> tuple[BookColumns, np.ndarray]:
        """One row per time in ``t_ns``: the latest snapshot at or before it, and a mask of the
        times that had one (the other rows hold an empty book)."""
        t_ns = np.asarray(t_ns, dtype=np.int64)
        idx = np.searchsorted(self.ts_ns, t_ns, side="right") - 1
        has_book = idx >= 0
        safe = np.where(has_book, idx, 0)

        def pick(a: np.ndarray, fill: float) -> np.ndarray:
            out = a[safe] if len(a) else np.full((len(t_ns), a.shape[1]), fill)
            out[~has_book] = fill
            return out

        rows = BookColumns(
            t_ns,
            pick(self.bid_px, math.nan),
            pick(self.bid_qty, 0.0),
            pick(self.ask_px, math.nan),
            pick(self.ask_qty, 0.0),
        )
        return rows, has_book


def evaluate_batch(key: InstanceKey, rows: BookColumns, has_book: np.ndarray) -> tuple[np.ndarray, ...]:
    """Batch twin of ``evaluate`` on aligned rows; NaN where ``has_book`` is False."""
    outputs: tuple[np.ndarray, ...]
    if key.calculator == "book_top":
        top = rows.bid_px[:, 0], rows.bid_qty[:, 0], rows.ask_px[:, 0], rows.ask_qty[:, 0]
        outputs = tuple(top_of_book_batch(*top))
    elif key.calculator in ("book_imbalance", "book_depth"):
        levels = key.param("levels")
        bid, ask = depth_batch(rows.bid_qty, levels), depth_batch(rows.ask_qty, levels)
        outputs = (imbalance_batch(bid, ask),) if key.calculator == "book_imbalance" else (bid, ask)
    else:
        raise KeyError(f"{key.calculator!r} is not a book calculator")
    return tuple(np.where(has_book, out, np.nan) for out in outputs)

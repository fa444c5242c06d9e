"""A synthetic L2 book in integer ticks and lots, emitting ``BookLevel`` tuples cheaply.

Each side keeps prices, sizes and the ``BookLevel`` objects for them in parallel lists, best
first; a change rebuilds only the level it touches, so emitting a depth-25 book costs two
``tuple()`` calls, not fifty Decimal constructions. Invariants (the generator's tests check them
on every event): both sides hold exactly ``depth`` levels, prices strictly ordered away from the
touch, sizes positive, best bid < best ask.
"""

from __future__ import annotations

from decimal import Decimal

from galfriday.core.events import BookLevel


class BookSide:
    __slots__ = ("_lot", "_tick", "direction", "levels", "prices", "qtys")

    def __init__(self, direction: int, tick: Decimal, lot: Decimal) -> None:
        self.direction = direction  # -1: bids (prices fall away from the touch), +1: asks
        self._tick, self._lot = tick, lot
        self.prices: list[int] = []
        self.qtys: list[int] = []
        self.levels: list[BookLevel] = []

    def _level(self, price: int, qty: int) -> BookLevel:
        return BookLevel(self._tick * price, self._lot * qty)

    def set_qty(self, i: int, qty: int) -> None:
        self.qtys[i] = qty
        self.levels[i] = self._level(self.prices[i], qty)

    def insert(self, i: int, price: int, qty: int) -> None:
        self.prices.insert(i, price)
        self.qtys.insert(i, qty)
        self.levels.insert(i, self._level(price, qty))

    def pop(self, i: int) -> None:
        del self.prices[i], self.qtys[i], self.levels[i]

    def append(self, price: int, qty: int) -> None:
        self.insert(len(self.prices), price, qty)

    def trim(self, depth: int) -> None:
        del self.prices[depth:], self.qtys[depth:], self.levels[depth:]

    def best(self) -> int:
        return self.prices[0]

    def worst(self) -> int:
        return self.prices[-1]


class SyntheticBook:
    __slots__ = ("asks", "bids")

    def __init__(self, tick: Decimal, lot: Decimal) -> None:
        self.bids = BookSide(-1, tick, lot)
        self.asks = BookSide(+1, tick, lot)

    def side(self, is_bid: bool) -> BookSide:
        return self.bids if is_bid else self.asks

    def spread(self) -> int:
        return self.asks.best() - self.bids.best()

    def snapshot(self) -> tuple[tuple[BookLevel, ...], tuple[BookLevel, ...]]:
        return tuple(self.bids.levels), tuple(self.asks.levels)

"""The external market's L2 book as our orders see it: displayed levels minus what we already took.

We are a small participant: our fills do not change the recorded market, but one displayed level
must not fill our orders twice. So every quantity our orders take from a level is remembered, with
the level's displayed size at that moment, and subtracted from what that level offers. The memory
of a level is dropped when the feed re-states the level with a different size (or drops it): the
new size is the market's own news and already reflects whatever happened there. Until then, the
level offers only its displayed size minus our consumption.

Levels are accepted as ``core.events.BookLevel`` (kept as they are: a feed's book is used without
copying) or as ``(price, qty)`` pairs of Decimals, best first (bids highest first, asks lowest first).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from galfriday.core.events import BookLevel

LevelInput = Sequence[BookLevel] | Sequence[tuple[Decimal, Decimal]]


def _as_levels(levels: LevelInput) -> Sequence[BookLevel]:
    if not levels or isinstance(levels[0], BookLevel):
        return levels  # type: ignore[return-value]
    return [BookLevel(price, qty) for price, qty in levels]  # type: ignore[misc]


class BookSide:
    """One side of the book and our consumption of it: price -> (displayed qty, consumed qty)."""

    __slots__ = ("levels", "used")

    def __init__(self) -> None:
        self.levels: Sequence[BookLevel] = ()
        self.used: dict[Decimal, tuple[Decimal, Decimal]] = {}

    def replace(self, levels: Sequence[BookLevel]) -> None:
        if self.used:
            shown = {lv.price: lv.qty for lv in levels}
            self.used = {p: u for p, u in self.used.items() if shown.get(p) == u[0]}
        self.levels = levels

    def offers(self) -> Iterator[tuple[Decimal, Decimal, Decimal]]:
        """(price, displayed, available) for each level, best first; available may be 0."""
        used = self.used
        for level in self.levels:
            price, qty = level.price, level.qty
            u = used.get(price) if used else None
            yield price, qty, (qty - u[1] if u is not None else qty)

    def best_available(self) -> Decimal | None:
        for price, _, available in self.offers():
            if available > 0:
                return price
        return None

    def consume(self, price: Decimal, displayed: Decimal, qty: Decimal) -> None:
        u = self.used.get(price)
        self.used[price] = (displayed, qty if u is None else u[1] + qty)


class BookLiquidity:
    """Latest book of one pair plus our consumption; ``ts_ns`` is None until the first book."""

    __slots__ = ("asks", "bids", "ts_ns")

    def __init__(self) -> None:
        self.bids = BookSide()
        self.asks = BookSide()
        self.ts_ns: int | None = None

    def update(self, ts_ns: int, bids: LevelInput, asks: LevelInput) -> None:
        self.bids.replace(_as_levels(bids))
        self.asks.replace(_as_levels(asks))
        self.ts_ns = ts_ns

    def opposite(self, is_buy: bool) -> BookSide:
        """The side an order of this direction takes from (asks for a buy)."""
        return self.asks if is_buy else self.bids

    def mid(self) -> Decimal | None:
        if not self.bids.levels or not self.asks.levels:
            return None
        return (self.bids.levels[0].price + self.asks.levels[0].price) / 2

    def best_price(self, is_buy: bool) -> Decimal | None:
        """Best displayed price an order of this direction would trade at (reference for funds)."""
        levels = self.opposite(is_buy).levels
        return levels[0].price if levels else None

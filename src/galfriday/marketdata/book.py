"""One pair's L2 order book, kept in step with Kraken's and proven so by the checksum.

Each side is three parallel lists sorted by ascending price (prices, ``BookLevel``s, checksum
fragments); the best ask is first, the best bid last. Updates *set* a level's quantity (they do
not add to it), a zero quantity removes the level, and after a whole message each side is cut
to the subscribed depth because Kraken does not delete levels pushed out of range. Every level
keeps its checksum fragment, so verifying a message is one join and one CRC32 per changed side.

``valid`` is the book's promise to trading: set by a snapshot, cleared by the first checksum
mismatch, and only a new snapshot sets it again. Consumers must not use an invalid book.

Prices and quantities are ``Decimal``; levels must be positive and finite (the ingestor's
quality checks drop anything else before it gets here).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from decimal import Decimal
from enum import Enum
from zlib import crc32

from galfriday.core.events import BookLevel
from galfriday.core.types import Side
from galfriday.marketdata.checksum import CHECKSUM_LEVELS, LevelFormatter

Level = tuple[Decimal, Decimal]
"""(price, qty) as it comes off the wire."""


class Verdict(Enum):
    """What applying one exchange message did to the book."""

    VERIFIED = "verified"  # applied, and the exchange's checksum matches ours
    MISMATCH = "mismatch"  # applied, checksum differs: the book is now invalid
    SKIPPED = "skipped"  # an update for an invalid book: ignored until a fresh snapshot
    UNCHECKED = "unchecked"  # applied, but the message carried no checksum (v1 snapshots)


class _Side:
    """One side of the book; ``best_last`` for bids (ascending storage, best price at the end).

    ``levels`` holds the ``BookLevel`` events publish, so taking the top N is a slice, not N new
    objects per message.
    """

    __slots__ = ("best_last", "blob", "frags", "levels", "prices")

    def __init__(self, best_last: bool) -> None:
        self.best_last = best_last
        self.prices: list[Decimal] = []
        self.levels: list[BookLevel] = []
        self.frags: list[bytes] = []
        self.blob: bytes | None = None  # this side's checksum bytes, rebuilt after a change

    def apply(self, changes: Iterable[Level], fragment: LevelFormatter) -> None:
        prices, levels, frags = self.prices, self.levels, self.frags
        make = fragment.fragment
        for price, qty in changes:
            i = bisect_left(prices, price)
            present = i < len(prices) and prices[i] == price
            if qty:
                if present:
                    levels[i] = BookLevel(price, qty)
                    frags[i] = make(price, qty)
                else:
                    prices.insert(i, price)
                    levels.insert(i, BookLevel(price, qty))
                    frags.insert(i, make(price, qty))
            elif present:
                del prices[i], levels[i], frags[i]
        self.blob = None

    def load(self, changes: Iterable[Level], fragment: LevelFormatter) -> None:
        """Replace the side with a snapshot's levels, in whatever order they come."""
        merged: dict[Decimal, Decimal] = {}
        for price, qty in changes:  # later entry for a price wins, as in an update
            merged[price] = qty
        kept = [(price, merged[price]) for price in sorted(merged) if merged[price]]
        self.prices = [price for price, _ in kept]
        self.levels = [BookLevel(price, qty) for price, qty in kept]
        self.frags = [fragment.fragment(price, qty) for price, qty in kept]
        self.blob = None

    def truncate(self, depth: int) -> None:
        extra = len(self.prices) - depth
        if extra > 0:
            cut = slice(0, extra) if self.best_last else slice(depth, None)
            del self.prices[cut], self.levels[cut], self.frags[cut]

    def checksum_bytes(self) -> bytes:
        blob = self.blob
        if blob is None:
            if self.best_last:
                blob = b"".join(reversed(self.frags[-CHECKSUM_LEVELS:]))
            else:
                blob = b"".join(self.frags[:CHECKSUM_LEVELS])
            self.blob = blob
        return blob

    def best(self) -> Decimal | None:
        if not self.prices:
            return None
        return self.prices[-1] if self.best_last else self.prices[0]

    def top(self, n: int) -> tuple[BookLevel, ...]:
        """The best ``n`` levels, best first."""
        if n <= 0:
            return ()
        return tuple(self.levels[-n:][::-1]) if self.best_last else tuple(self.levels[:n])

    def qty_sum(self, n: int) -> Decimal:
        return sum((level.qty for level in self.top(n)), Decimal(0))


class OrderBook:
    """L2 book for one pair at a subscribed depth, verified against Kraken's checksum."""

    __slots__ = ("_asks", "_bids", "_fmt", "depth", "pair", "valid")

    def __init__(self, pair: str, depth: int, price_decimals: int, qty_decimals: int) -> None:
        if depth < 1:
            raise ValueError(f"{pair}: depth must be >= 1, got {depth}; use the subscribed depth")
        self.pair = pair
        self.depth = depth
        self._fmt = LevelFormatter(price_decimals, qty_decimals)
        self._bids = _Side(best_last=True)
        self._asks = _Side(best_last=False)
        self.valid = False

    @property
    def price_decimals(self) -> int:
        return self._fmt.price_decimals

    @property
    def qty_decimals(self) -> int:
        return self._fmt.qty_decimals

    # -- maintenance ------------------------------------------------------------------------------

    def apply_snapshot(self, bids: Iterable[Level], asks: Iterable[Level]) -> None:
        """Replace the book. It counts as valid until a checksum says otherwise."""
        self._bids.load(bids, self._fmt)
        self._asks.load(asks, self._fmt)
        self._bids.truncate(self.depth)
        self._asks.truncate(self.depth)
        self.valid = True

    def apply_update(self, bids: Iterable[Level], asks: Iterable[Level]) -> None:
        """Apply levels in message order (set, zero removes), then cut both sides to depth."""
        if bids:
            self._bids.apply(bids, self._fmt)
            self._bids.truncate(self.depth)
        if asks:
            self._asks.apply(asks, self._fmt)
            self._asks.truncate(self.depth)

    def checksum(self) -> int:
        return crc32(self._bids.checksum_bytes(), crc32(self._asks.checksum_bytes()))

    def verify(self, expected: int) -> bool:
        """Compare with the exchange's checksum; a mismatch invalidates the book."""
        if self.checksum() == expected:
            return True
        self.valid = False
        return False

    def apply_message(
        self, bids: Iterable[Level], asks: Iterable[Level], checksum: int | None, *, snapshot: bool
    ) -> Verdict:
        """Apply one exchange message and check it: the one code path for live data and replays."""
        if snapshot:
            self.apply_snapshot(bids, asks)
        elif self.valid:
            self.apply_update(bids, asks)
        else:
            return Verdict.SKIPPED
        if checksum is None:
            return Verdict.UNCHECKED
        return Verdict.VERIFIED if self.verify(checksum) else Verdict.MISMATCH

    def invalidate(self) -> None:
        """Mark the book unusable until the next snapshot (e.g. the connection dropped)."""
        self.valid = False

    # -- reading ----------------------------------------------------------------------------------

    @property
    def best_bid(self) -> Decimal | None:
        return self._bids.best()

    @property
    def best_ask(self) -> Decimal | None:
        return self._asks.best()

    @property
    def spread(self) -> Decimal | None:
        bid, ask = self._bids.best(), self._asks.best()
        return None if bid is None or ask is None else ask - bid

    @property
    def mid(self) -> Decimal | None:
        bid, ask = self._bids.best(), self._asks.best()
        return None if bid is None or ask is None else (bid + ask) / 2

    @property
    def is_crossed(self) -> bool:
        """True when the best bid is at or above the best ask (locked or crossed)."""
        bid, ask = self._bids.best(), self._asks.best()
        return bid is not None and ask is not None and bid >= ask

    def depth_qty(self, side: Side, n: int) -> Decimal:
        """Total quantity on the best ``n`` levels of one side (BUY = bids, SELL = asks)."""
        return (self._bids if side is Side.BUY else self._asks).qty_sum(n)

    def imbalance(self, n: int) -> Decimal | None:
        """(bid qty − ask qty) / (bid qty + ask qty) over the best ``n`` levels; None if both empty."""
        bid = self._bids.qty_sum(n)
        ask = self._asks.qty_sum(n)
        total = bid + ask
        return None if total == 0 else (bid - ask) / total

    def top(self, n: int) -> tuple[tuple[BookLevel, ...], tuple[BookLevel, ...]]:
        """Best ``n`` levels per side, best first: (bids high→low, asks low→high)."""
        return self._bids.top(n), self._asks.top(n)

    def levels(self) -> tuple[list[Level], list[Level]]:
        """Every level, best first, as (bids, asks) of (price, qty)."""
        bids, asks = self.top(self.depth)
        return [(x.price, x.qty) for x in bids], [(x.price, x.qty) for x in asks]

    def __len__(self) -> int:
        return len(self._bids.prices) + len(self._asks.prices)

    def __repr__(self) -> str:
        return (
            f"OrderBook({self.pair!r}, depth={self.depth}, valid={self.valid}, "
            f"bid={self.best_bid}, ask={self.best_ask}, levels={len(self)})"
        )

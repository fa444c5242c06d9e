"""The public L2 book of one pair as the simulator publishes it: snapshots, diffs, checksums.

The market source hands over the whole top of the book on every change (``OrderBookUpdated``);
WS v2 clients want a snapshot once and then only what changed, at the depth they subscribed.
For each subscribed depth the last published top-``depth`` is kept; an update is the difference
to the new top-``depth``: every level that is new or changed, and ``qty 0`` for every level that
left. A client applying it (set, delete, truncate to depth — docs/kraken_protocol.md §2) ends
with exactly the new top-``depth``, and the checksum (top 10 of that, CRC32 v2, computed with
``marketdata.checksum``'s cached formatter) verifies.

Books of pairs replayed from candles or trades are synthetic (``synthetic_levels``): a ladder
around the last price, for display and Depth only.
"""

from __future__ import annotations

from decimal import Decimal

from galfriday.core.events import BookLevel
from galfriday.core.instruments import Instrument
from galfriday.marketdata.checksum import CHECKSUM_LEVELS, LevelFormatter, checksum_from_fragments

Levels = tuple[BookLevel, ...]  # best first; the market source's own immutable levels, not copied
_SYNTHETIC_DEPTH = 25


def synthetic_levels(price: Decimal, instrument: Instrument) -> tuple[Levels, Levels]:
    """(bids, asks) around ``price``: one tick either side, then a level per tick, fixed sizes."""
    tick, qty = instrument.tick, (instrument.ordermin * 100).quantize(instrument.lot)
    bids = tuple(
        BookLevel(price - tick * i, qty) for i in range(1, _SYNTHETIC_DEPTH + 1) if price - tick * i > 0
    )
    asks = tuple(BookLevel(price + tick * i, qty) for i in range(1, _SYNTHETIC_DEPTH + 1))
    return bids, asks


class BookDiff:
    """What changed at one depth: levels to set (qty > 0) or delete (qty 0), per side."""

    __slots__ = ("asks", "bids")

    def __init__(self, bids: list[BookLevel], asks: list[BookLevel]) -> None:
        self.bids, self.asks = bids, asks

    def __bool__(self) -> bool:
        return bool(self.bids or self.asks)


def _diff(old: Levels, new: Levels) -> list[BookLevel]:
    before = {level.price: level.qty for level in old}
    now = {level.price for level in new}
    out = [BookLevel(lv.price, lv.qty * 0) for lv in old if lv.price not in now]  # 0 at the qty precision
    out.extend(level for level in new if before.get(level.price) != level.qty)
    return out


class PublicBook:
    """One pair's published book; ``levels`` are best first, ``version`` counts changes."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.bids: Levels = ()
        self.asks: Levels = ()
        self.ts_ns = 0
        self.version = 0
        self._formatter = LevelFormatter(instrument.price_decimals, instrument.lot_decimals)
        self._published: dict[int, tuple[Levels, Levels]] = {}  # depth -> last published top
        self._checksum: int | None = None

    def update(self, ts_ns: int, bids: Levels, asks: Levels) -> None:
        self.bids, self.asks, self.ts_ns = bids, asks, ts_ns
        self.version += 1
        self._checksum = None

    def checksum(self) -> int:
        """Kraken's CRC32 of the top 10 levels per side (the same for every depth >= 10)."""
        if self._checksum is None:
            frag = self._formatter.fragment
            self._checksum = checksum_from_fragments(
                (frag(lv.price, lv.qty) for lv in self.asks[:CHECKSUM_LEVELS]),
                (frag(lv.price, lv.qty) for lv in self.bids[:CHECKSUM_LEVELS]),
            )
        return self._checksum

    def snapshot(self, depth: int) -> tuple[Levels, Levels]:
        """The top ``depth`` now; from here on, updates for ``depth`` are relative to it."""
        top = self.bids[:depth], self.asks[:depth]
        self._published[depth] = top
        return top

    def diff(self, depth: int) -> BookDiff:
        """Changes at ``depth`` since the last snapshot/diff at that depth."""
        old_bids, old_asks = self._published.get(depth, ((), ()))
        new_bids, new_asks = self.bids[:depth], self.asks[:depth]
        self._published[depth] = (new_bids, new_asks)
        return BookDiff(_diff(old_bids, new_bids), _diff(old_asks, new_asks))

    def forget(self, depth: int) -> None:
        """Nobody is subscribed at ``depth`` any more; the next subscriber starts from a snapshot."""
        self._published.pop(depth, None)

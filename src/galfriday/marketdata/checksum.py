"""Kraken's CRC32 order-book checksum (WS v2 and v1).

The checksum string is the top 10 asks (lowest price first) followed by the top 10 bids (highest
first); each level contributes its price then its quantity written as decimal digits with the '.'
removed and leading zeros stripped. v2 writes both at the pair's precision (``price_precision``,
``qty_precision``); v1 sends strings that already carry full precision and uses them verbatim.
The checksum is ``zlib.crc32`` of that string, an unsigned 32-bit integer.

Speed comes from doing the formatting once per level: ``LevelFormatter.fragment`` turns a
(price, qty) into its bytes once, an ``OrderBook`` keeps that fragment beside the level (and each
side's joined bytes until the side changes), so a checksum is a join of cached fragments plus
CRC32 – ``checksum_from_fragments``. A v1 book takes the same path at the precision its strings
carry: ``Decimal("0.05000")`` written with 5 decimals is the wire string again. ``checksum_v2`` and
``checksum_v1`` build the string from scratch the way the documentation describes; they are the
reference the cached path is tested against.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from decimal import Decimal

#: Kraken checksums the best 10 levels per side whatever the subscribed depth.
CHECKSUM_LEVELS = 10

#: Fragment caches are cleared when they reach this size, bounding memory on a long-running feed.
_CACHE_LIMIT = 8192


def digits(text: str) -> str:
    """A decimal string as the checksum wants it: '.' removed, leading zeros stripped."""
    return text.replace(".", "").lstrip("0")


def fixed_digits(value: Decimal, decimals: int) -> str:
    """``value`` written with exactly ``decimals`` decimals, as checksum digits.

    Fast path: ``str(Decimal)`` is cheap and already exact for prices and sizes; it only needs
    trailing zeros appended (e.g. a JSON number ``0.001`` whose trailing zeros were lost). Values
    in exponent form, or with more decimals than the precision, take the documented formatting.
    """
    text = str(value)
    point = text.find(".")
    if point < 0:
        body, frac = text, 0
    else:
        body, frac = text[:point] + text[point + 1 :], len(text) - point - 1
    if frac <= decimals and body.isdigit():
        return (body + "0" * (decimals - frac)).lstrip("0")
    return digits(f"{value:.{decimals}f}")


class LevelFormatter:
    """Turns a (price, qty) into its checksum fragment at a pair's precision, with caches.

    Prices repeat constantly on a live book and sizes often do, so each distinct value is
    formatted once; a cache hit is a dict lookup.
    """

    __slots__ = ("_prices", "_qtys", "price_decimals", "qty_decimals")

    def __init__(self, price_decimals: int, qty_decimals: int) -> None:
        if price_decimals < 0 or qty_decimals < 0:
            raise ValueError(
                f"precisions must be >= 0 (got price {price_decimals}, qty {qty_decimals}); "
                "take them from the instrument channel or AssetPairs"
            )
        self.price_decimals = price_decimals
        self.qty_decimals = qty_decimals
        self._prices: dict[Decimal, bytes] = {}
        self._qtys: dict[Decimal, bytes] = {}

    def fragment(self, price: Decimal, qty: Decimal) -> bytes:
        """The bytes this level contributes to the checksum string."""
        prices = self._prices
        p = prices.get(price)
        if p is None:
            if len(prices) >= _CACHE_LIMIT:
                prices.clear()
            p = prices[price] = fixed_digits(price, self.price_decimals).encode()
        qtys = self._qtys
        q = qtys.get(qty)
        if q is None:
            if len(qtys) >= _CACHE_LIMIT:
                qtys.clear()
            q = qtys[qty] = fixed_digits(qty, self.qty_decimals).encode()
        return p + q


def checksum_from_fragments(ask_fragments: Iterable[bytes], bid_fragments: Iterable[bytes]) -> int:
    """CRC32 over cached fragments: best asks (low→high) then best bids (high→low), 10 each at most."""
    return zlib.crc32(b"".join(bid_fragments), zlib.crc32(b"".join(ask_fragments)))


def checksum_v2(
    asks: Iterable[tuple[Decimal, Decimal]],
    bids: Iterable[tuple[Decimal, Decimal]],
    price_decimals: int,
    qty_decimals: int,
) -> int:
    """Reference v2 checksum from best-first levels, formatted exactly as the docs describe."""

    def side(levels: Iterable[tuple[Decimal, Decimal]]) -> str:
        out = []
        for i, (price, qty) in enumerate(levels):
            if i == CHECKSUM_LEVELS:
                break
            out.append(digits(f"{price:.{price_decimals}f}") + digits(f"{qty:.{qty_decimals}f}"))
        return "".join(out)

    return zlib.crc32((side(asks) + side(bids)).encode())


def checksum_v1(asks: Iterable[tuple[str, str]], bids: Iterable[tuple[str, str]]) -> int:
    """Reference v1 checksum from best-first levels given as the wire's strings."""

    def side(levels: Iterable[tuple[str, str]]) -> str:
        out = []
        for i, (price, qty) in enumerate(levels):
            if i == CHECKSUM_LEVELS:
                break
            out.append(digits(price) + digits(qty))
        return "".join(out)

    return zlib.crc32((side(asks) + side(bids)).encode())

"""Deterministic ids for simulated orders, trades and events.

Why not ``core.events.new_id``: its prefix is random per process, so two runs with the same seed
would differ in every id and "same seed, identical output" could not be checked byte for byte.
Here the prefix is derived from a namespace (seed, pair, stream name) with SHA-256, and a counter
makes each id unique within the namespace.
"""

from __future__ import annotations

import hashlib
import itertools

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _digest(namespace: str) -> bytes:
    return hashlib.sha256(namespace.encode()).digest()


class EventIds:
    """UUID-shaped event ids (``8-4-4-4-12`` hex, version 4 bits set) that repeat for a namespace."""

    __slots__ = ("_counter", "_prefix")

    def __init__(self, namespace: str) -> None:
        b = bytearray(_digest(namespace)[:10])
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        h = b.hex()
        self._prefix = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-"
        self._counter = itertools.count()

    def __call__(self) -> str:
        return f"{self._prefix}{next(self._counter) & 0xFFFFFFFFFFFF:012x}"


class KrakenIds:
    """Order ids ``OXXXXX-XXXXX-XXXXXX`` and trade ids ``TXXXXX-XXXXX-XXXXXX`` in Kraken's shape.

    The first 10 characters come from the namespace (so two engines with different pairs or seeds
    never collide), the last 6 from a counter: 32**6 ≈ 10**9 ids per engine.
    """

    __slots__ = ("_orders", "_salt", "_trades")

    def __init__(self, namespace: str) -> None:
        digest = int.from_bytes(_digest(namespace)[:8], "big")
        self._salt = _encode(digest & (2**50 - 1), 10)
        self._orders = itertools.count()
        self._trades = itertools.count()

    def order_id(self) -> str:
        return self._format("O", next(self._orders))

    def trade_id(self) -> str:
        return self._format("T", next(self._trades))

    def _format(self, letter: str, n: int) -> str:
        s = self._salt
        return f"{letter}{s[:5]}-{s[5:]}-{_encode(n, 6)}"


_PAIRS = [a + b for a in _BASE32 for b in _BASE32]  # two base-32 digits per lookup


def _encode(value: int, width: int) -> str:
    """``value`` as ``width`` base-32 digits (width even, value < 32**width)."""
    return "".join([_PAIRS[(value >> (5 * i)) & 1023] for i in range(width - 2, -2, -2)])

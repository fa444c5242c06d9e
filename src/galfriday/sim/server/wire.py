"""JSON on the wire, as Kraken writes it.

WS v2 writes prices and sizes as JSON *numbers* carrying the pair's full precision (``0.52000``,
``0.00000001``) — the book checksum depends on those digits, so they are emitted from Decimal
text in plain notation (``msgspec`` alone would write ``1E-8``). REST writes money as strings
with fixed decimals and only times, counts and ids as numbers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

_encoder = msgspec.json.Encoder(decimal_format="number")
_ZERO = Decimal(0)


def number(value: Decimal) -> msgspec.Raw:
    """A JSON number with exactly the Decimal's digits, never in exponent form."""
    return msgspec.Raw(format(value, "f").encode("ascii"))


def fixed(value: Decimal | None, decimals: int) -> str:
    """Kraken's REST money string: ``value`` with exactly ``decimals`` decimals (rounded half-even)."""
    return f"{value if value is not None else _ZERO:.{decimals}f}"


def at_least(value: Decimal, decimals: int) -> str:
    """``value`` with at least ``decimals`` decimals and all of its own (balances stay exact)."""
    places = max(decimals, -value.as_tuple().exponent) if value.is_finite() else decimals  # type: ignore[operator]
    return f"{value:.{places}f}"


def encode(obj: Any) -> bytes:
    return _encoder.encode(obj)

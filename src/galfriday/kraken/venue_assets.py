"""Kraken's names for the assets we hold: ``Balance`` keys are legacy codes, ours are common ones.

REST ``Balance`` reports ``ZUSD``, ``XXRP``, ``XXDG`` (and ``XXBT``) where the rest of the system
— WS v2, instruments, the ledger — says ``USD``, ``XRP``, ``DOGE`` (``BTC``). Newer assets keep
their plain code. A legacy code is the v1 code (``XDG``, ``XBT``; ``kraken.symbols``) with an
``X`` (crypto) or ``Z`` (fiat) in front, so every spelling of an asset can be derived from its
common code; suffixed balances (``.F`` earn, ``.S`` staked, ...) are not spot funds and are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from galfriday.kraken.symbols import V1_TO_V2_ASSET

_V2_TO_V1 = {v2: v1 for v1, v2 in V1_TO_V2_ASSET.items()}


def kraken_codes(asset: str) -> tuple[str, ...]:
    """Every key under which ``Balance`` may report the common ``asset``: USD -> (USD, ZUSD, XUSD)."""
    v1 = _V2_TO_V1.get(asset, asset)
    return tuple(dict.fromkeys((asset, v1, f"Z{v1}", f"X{v1}")))


def spot_balance(balances: Mapping[str, Decimal], asset: str) -> Decimal:
    """The spot balance of ``asset`` in a ``Balance`` result (0 when Kraken lists none)."""
    return sum((balances[code] for code in kraken_codes(asset) if code in balances), Decimal(0))

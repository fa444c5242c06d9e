"""The instruments a backtest trades: Kraken's precisions and minimums, the configured fees.

Kraken publishes each pair's tick, lot and minimums (AssetPairs); the defaults of the default pairs
ship with ``core.instruments``, and any other pair needs a saved AssetPairs response. Fees come
from ``execution.maker_fee``/``taker_fee`` (DESIGN §7) rather than the AssetPairs schedule, so a
backtest charges exactly what the configuration says live trading will be charged.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import msgspec

from galfriday.backtest.errors import BacktestError
from galfriday.config import Settings
from galfriday.core.instruments import Instrument, default_instruments
from galfriday.kraken.asset_pairs import parse_asset_pairs, read_asset_pairs_file


def backtest_instruments(
    settings: Settings, pairs: Iterable[str], *, asset_pairs_file: Path | None = None
) -> dict[str, Instrument]:
    """One instrument per pair, with the configured maker/taker fees."""
    known = default_instruments()
    if asset_pairs_file is not None:
        known |= parse_asset_pairs(read_asset_pairs_file(asset_pairs_file))
    execution = settings.execution
    out: dict[str, Instrument] = {}
    for pair in pairs:
        instrument = known.get(pair)
        if instrument is None:
            raise BacktestError(
                f"no instrument (tick, lot, minimums) for {pair}: pass --asset-pairs with a saved Kraken "
                "AssetPairs response that lists it, or trade one of "
                f"{', '.join(sorted(default_instruments()))}"
            )
        out[pair] = msgspec.structs.replace(
            instrument, maker_fee=execution.maker_fee, taker_fee=execution.taker_fee
        )
    return out

"""The traded instruments at start: Kraken's AssetPairs, or the built-in defaults with a warning.

Tick, lot and minimums must be the exchange's current ones (a wrong tick makes every order
invalid, a wrong precision fails every book checksum), so they are asked for at start from
``exchange.rest_url`` — real Kraken or the exchange simulator. If AssetPairs cannot be read, the
published values of ``core.instruments.default_instruments`` are used, loudly; a configured pair
found in neither refuses the start.

Fees are ``execution.maker_fee``/``taker_fee`` (DESIGN §7: "until TradeVolume says otherwise"),
not AssetPairs' first tier, so a paper session, a backtest and the risk manager charge the same.
"""

from __future__ import annotations

import logging

import msgspec

from galfriday.app.runtime.errors import StartRefused
from galfriday.config.schema import Settings
from galfriday.core.errors import InstrumentError
from galfriday.core.instruments import Instrument, default_instruments
from galfriday.kraken.asset_pairs import parse_asset_pairs
from galfriday.kraken.rest_public import KrakenError, KrakenPublicClient

logger = logging.getLogger(__name__)


async def load_instruments(settings: Settings) -> dict[str, Instrument]:
    """The configured pairs' instruments, fees from the configuration."""
    pairs = settings.pairs
    try:
        known = await _asset_pairs(settings.exchange.rest_url, settings.exchange.request_timeout_s)
        source = f"AssetPairs of {settings.exchange.rest_url}"
    except (KrakenError, InstrumentError) as exc:
        known = default_instruments()
        source = "built-in defaults"
        logger.warning(
            "AssetPairs from %s failed (%s): using the built-in tick/lot/minimums for %s. They may be "
            "out of date; check exchange.rest_url and the network before trading real money",
            settings.exchange.rest_url,
            exc,
            ", ".join(pairs),
        )
    missing = [pair for pair in pairs if pair not in known]
    if missing:
        raise StartRefused(
            f"no instrument data for {', '.join(missing)} in the {source}: check the pair names "
            "(WS v2 form, e.g. XRP/USD) or exchange.rest_url"
        )
    execution = settings.execution
    chosen = {
        pair: msgspec.structs.replace(
            known[pair], maker_fee=execution.maker_fee, taker_fee=execution.taker_fee
        )
        for pair in pairs
    }
    for inst in chosen.values():
        logger.info(
            "instrument %s: tick %s, lot %s, ordermin %s, costmin %s (from the %s)",
            inst.symbol,
            inst.tick,
            inst.lot,
            inst.ordermin,
            inst.costmin,
            source,
        )
    return chosen


async def _asset_pairs(rest_url: str, timeout_s: float) -> dict[str, Instrument]:
    async with KrakenPublicClient(rest_url, timeout_s=timeout_s) as client:
        return parse_asset_pairs(await client.asset_pairs())

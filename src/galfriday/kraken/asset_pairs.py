"""Kraken AssetPairs -> ``core.instruments.Instrument`` (tick, lot, minimums, fees).

Field by field:
- tick: ``tick_size`` when Kraken states it (newer responses), else 10^-``pair_decimals``;
- lot: 10^-``lot_decimals``;
- ``ordermin`` (minimum base quantity) and ``costmin`` (minimum quote cost), 0 when absent
  (older responses have no ``costmin``);
- fees: the first (lowest-volume) tier of ``fees`` (taker) and ``fees_maker`` (maker), which
  Kraken gives in percent -> stored as fractions (0.26 -> 0.0026). Pairs without a maker schedule
  charge the taker fee for both. The account's real tier comes later from TradeVolume.

Pairs without ``wsname`` (dark-pool ".d" pairs) cannot be traded over WebSocket and are skipped.
Numbers are parsed from their decimal text; a float from a plain ``json.loads`` is converted
through its shortest repr, never its binary value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from galfriday.core.errors import InstrumentError
from galfriday.core.instruments import Instrument
from galfriday.kraken.symbols import ws_v2_name

_PERCENT = Decimal(100)


def _dec(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise InstrumentError(f"expected a number, got {value!r}")
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


def _first_tier_fraction(tiers: Any) -> Decimal | None:
    if not tiers:
        return None
    return _dec(tiers[0][1]) / _PERCENT


def parse_asset_pair(rest_id: str, info: Mapping[str, Any]) -> Instrument:
    """One AssetPairs entry -> Instrument with the WS v2 name as ``symbol``."""
    wsname = info.get("wsname")
    if not wsname:
        raise InstrumentError(f"AssetPairs entry {rest_id!r} has no wsname: it is not tradable over WS")
    symbol = ws_v2_name(wsname)
    base, _, quote = symbol.partition("/")
    taker = _first_tier_fraction(info.get("fees"))
    maker = _first_tier_fraction(info.get("fees_maker"))
    fees: dict[str, Decimal] = {}
    if taker is not None:
        fees = {"taker_fee": taker, "maker_fee": maker if maker is not None else taker}
    tick = info.get("tick_size")
    try:
        return Instrument(
            symbol=symbol,
            base=base,
            quote=quote,
            price_decimals=int(info["pair_decimals"]),
            lot_decimals=int(info["lot_decimals"]),
            ordermin=_dec(info.get("ordermin", 0)),
            costmin=_dec(info.get("costmin", 0)),
            tick_size=_dec(tick) if tick is not None else None,
            rest_pair_id=rest_id,
            altname=info.get("altname", rest_id),
            **fees,
        )
    except KeyError as exc:
        raise InstrumentError(f"AssetPairs entry {rest_id!r} lacks field {exc.args[0]!r}") from None


def parse_asset_pairs(result: Mapping[str, Mapping[str, Any]]) -> dict[str, Instrument]:
    """Every WS-tradable pair of an AssetPairs ``result``, keyed by WS v2 symbol ("XRP/USD")."""
    instruments = (parse_asset_pair(rest_id, info) for rest_id, info in result.items() if info.get("wsname"))
    return {inst.symbol: inst for inst in instruments}


def read_asset_pairs_file(path: Path) -> dict[str, dict[str, Any]]:
    """The AssetPairs ``result`` from a saved response.

    Accepts a plain JSON response (``{"error": [], "result": {...}}``) or a cryptofeed capture
    (lines ``<url> -> <unix ts>: <json>``; the AssetPairs line is used).
    """
    text = path.read_text(encoding="utf-8")
    body = text
    if not text.lstrip().startswith("{"):
        lines = [ln for ln in text.splitlines() if "/0/public/AssetPairs" in ln.split(" -> ", 1)[0]]
        if not lines:
            raise InstrumentError(f"{path}: no AssetPairs response found (neither JSON nor a capture line)")
        body = lines[-1].split(" -> ", 1)[1].split(": ", 1)[1]
    payload = json.loads(body, parse_float=Decimal)
    if payload.get("error"):
        raise InstrumentError(f"{path}: the saved AssetPairs response is an error: {payload['error']}")
    result: dict[str, dict[str, Any]] = payload["result"]
    return result

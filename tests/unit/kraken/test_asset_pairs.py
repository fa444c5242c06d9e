"""AssetPairs -> Instrument and the WS v2 / REST id / altname symbol map, on real captures.

cryptofeed/KRAKEN.0 is a real AssetPairs response from 2021-04-17 (304 pairs, no tick_size or
costmin yet); nautilus_trader/kraken/http_asset_pairs.json is XBTUSDT from 2025-11 (with both).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from galfriday.core.errors import InstrumentError
from galfriday.kraken.asset_pairs import parse_asset_pair, parse_asset_pairs, read_asset_pairs_file
from galfriday.kraken.symbols import SymbolMap, UnknownPairError, ws_v2_name


@pytest.fixture(scope="module")
def pairs_2021(shared_data: Path) -> dict[str, dict[str, Any]]:
    return read_asset_pairs_file(shared_data / "cryptofeed" / "KRAKEN.0")


def test_xrp_usd_from_the_2021_capture(pairs_2021: dict[str, dict[str, Any]]) -> None:
    xrp = parse_asset_pairs(pairs_2021)["XRP/USD"]
    assert (xrp.rest_pair_id, xrp.altname, xrp.base, xrp.quote) == ("XXRPZUSD", "XRPUSD", "XRP", "USD")
    assert (xrp.price_decimals, xrp.lot_decimals) == (5, 8)
    assert (xrp.tick, xrp.lot) == (Decimal("0.00001"), Decimal("0.00000001"))
    assert (xrp.ordermin, xrp.costmin) == (Decimal("20"), Decimal("0"))  # no costmin in 2021
    assert (xrp.taker_fee, xrp.maker_fee) == (Decimal("0.0026"), Decimal("0.0016"))
    assert xrp.round_price("0.512345678") == Decimal("0.51235")


def test_doge_usd_uses_the_v2_name(pairs_2021: dict[str, dict[str, Any]]) -> None:
    instruments = parse_asset_pairs(pairs_2021)
    doge = instruments["DOGE/USD"]
    assert "XDG/USD" not in instruments
    assert (doge.rest_pair_id, doge.altname, doge.base) == ("XDGUSD", "XDGUSD", "DOGE")
    assert (doge.price_decimals, doge.tick, doge.ordermin) == (7, Decimal("0.0000001"), Decimal("50"))
    assert instruments["BTC/USD"].ordermin == Decimal("0.0002")


def test_dark_pool_pairs_without_wsname_are_skipped(pairs_2021: dict[str, dict[str, Any]]) -> None:
    instruments = parse_asset_pairs(pairs_2021)
    assert len(pairs_2021) == 304
    assert len(instruments) == 304 - sum(1 for k in pairs_2021 if k.endswith(".d"))
    with pytest.raises(InstrumentError, match="no wsname"):
        parse_asset_pair("XXBTZUSD.d", pairs_2021["XXBTZUSD.d"])


def test_symbol_map_both_ways(pairs_2021: dict[str, dict[str, Any]]) -> None:
    symbols = SymbolMap.from_asset_pairs(pairs_2021)
    for ws, rest_id, altname, v1 in [
        ("XRP/USD", "XXRPZUSD", "XRPUSD", "XRP/USD"),
        ("DOGE/USD", "XDGUSD", "XDGUSD", "XDG/USD"),
        ("BTC/USD", "XXBTZUSD", "XBTUSD", "XBT/USD"),
    ]:
        assert (symbols.rest_id(ws), symbols.altname(ws)) == (rest_id, altname)
        for spelling in (ws, rest_id, altname, v1, ws.lower()):
            assert symbols.ws_name(spelling) == ws
    assert "DOGE/USD" in symbols and "NOPE/USD" not in symbols
    with pytest.raises(UnknownPairError, match="unknown pair 'NOPE/USD'"):
        symbols.rest_id("NOPE/USD")


def test_v1_codes_renamed_on_both_sides() -> None:
    assert ws_v2_name("XDG/XBT") == "DOGE/BTC"
    assert ws_v2_name("ETH/USD") == "ETH/USD"


def test_2025_capture_with_tick_size_and_costmin(shared_data: Path) -> None:
    path = shared_data / "nautilus_trader" / "kraken" / "http_asset_pairs.json"
    result = read_asset_pairs_file(path)
    btc = parse_asset_pairs(result)["BTC/USDT"]
    assert (btc.rest_pair_id, btc.altname, btc.quote) == ("XBTUSDT", "XBTUSDT", "USDT")
    assert (btc.tick, btc.price_decimals, btc.lot) == (Decimal("0.1"), 1, Decimal("0.00000001"))
    assert (btc.ordermin, btc.costmin) == (Decimal("0.00005"), Decimal("0.5"))
    assert (btc.taker_fee, btc.maker_fee) == (Decimal("0.004"), Decimal("0.0025"))
    assert SymbolMap.from_asset_pairs(result).rest_id("BTC/USDT") == "XBTUSDT"


def test_tick_size_wins_over_pair_decimals() -> None:
    info = {
        "wsname": "XRP/USD",
        "altname": "XRPUSD",
        "pair_decimals": 5,
        "lot_decimals": 8,
        "tick_size": "0.0005",
    }
    inst = parse_asset_pair("XXRPZUSD", info)
    assert inst.tick == Decimal("0.0005")
    assert inst.round_price("0.51234") == Decimal("0.5125")


def test_floats_from_plain_json_are_read_by_their_text() -> None:
    info = json.loads('{"wsname":"A/B","pair_decimals":2,"lot_decimals":2,"fees":[[0,0.26]],"ordermin":"1"}')
    inst = parse_asset_pair("AB", info)
    assert (inst.taker_fee, inst.maker_fee) == (Decimal("0.0026"), Decimal("0.0026"))  # no maker schedule


def test_missing_field_names_the_pair() -> None:
    with pytest.raises(InstrumentError, match="'AB' lacks field 'lot_decimals'"):
        parse_asset_pair("AB", {"wsname": "A/B", "pair_decimals": 2})

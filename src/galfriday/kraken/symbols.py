"""One pair, three spellings: WS v2 names, REST pair ids and REST altnames, mapped both ways.

Kraken names the same market differently per API: WS v2 says "XRP/USD" and "DOGE/USD"; REST keys
results by pair id ("XXRPZUSD", "XDGUSD") and also accepts the altname ("XRPUSD", "XDGUSD").
AssetPairs gives ``altname`` and ``wsname`` for every pair, but its ``wsname`` is the *v1*
spelling with Kraken's legacy asset codes ("XBT/USD", "XDG/USD"), so the v2 name is derived by
renaming those codes (``V1_TO_V2_ASSET``). The system uses the v2 name as the canonical symbol.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from galfriday.core.errors import GalFridayError

# Legacy v1 asset codes that WS v2 spells with the common ticker.
V1_TO_V2_ASSET: dict[str, str] = {"XBT": "BTC", "XDG": "DOGE"}


class UnknownPairError(GalFridayError, KeyError):
    """A pair name matched none of the spellings Kraken's AssetPairs listed."""

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return str(self.args[0])


def ws_v2_name(wsname_v1: str) -> str:
    """ "XDG/USD" -> "DOGE/USD", "XBT/USDT" -> "BTC/USDT"; other names pass through."""
    base, sep, quote = wsname_v1.partition("/")
    if not sep:
        raise ValueError(f"not a WS pair name (BASE/QUOTE): {wsname_v1!r}")
    return f"{V1_TO_V2_ASSET.get(base, base)}/{V1_TO_V2_ASSET.get(quote, quote)}"


class PairNames(msgspec.Struct, frozen=True):
    ws_name: str  # WS v2, canonical in this system: "DOGE/USD"
    ws_v1_name: str  # AssetPairs' wsname: "XDG/USD"
    rest_id: str  # AssetPairs key: "XDGUSD", "XXRPZUSD"
    altname: str  # "XDGUSD", "XRPUSD"


class SymbolMap:
    """Look up any spelling of a pair and get the one you need."""

    def __init__(self, entries: Iterable[PairNames]) -> None:
        self._by_ws: dict[str, PairNames] = {}
        self._index: dict[str, PairNames] = {}
        for names in entries:
            self._by_ws[names.ws_name] = names
            for spelling in (names.ws_name, names.ws_v1_name, names.rest_id, names.altname):
                self._index.setdefault(spelling, names)
                self._index.setdefault(spelling.upper(), names)

    @classmethod
    def from_asset_pairs(cls, result: Mapping[str, Mapping[str, Any]]) -> SymbolMap:
        """Build from an AssetPairs ``result``; pairs without ``wsname`` (dark pool ".d") are skipped."""
        return cls(
            PairNames(
                ws_name=ws_v2_name(info["wsname"]),
                ws_v1_name=info["wsname"],
                rest_id=rest_id,
                altname=info.get("altname", rest_id),
            )
            for rest_id, info in result.items()
            if info.get("wsname")
        )

    def names(self, pair: str) -> PairNames:
        found = self._index.get(pair) or self._index.get(pair.upper())
        if found is None:
            raise UnknownPairError(
                f"unknown pair {pair!r}: not a WS v2 name, v1 wsname, REST pair id or altname in "
                f"AssetPairs ({len(self._by_ws)} pairs known); check the spelling, e.g. 'XRP/USD'"
            )
        return found

    def ws_name(self, pair: str) -> str:
        return self.names(pair).ws_name

    def rest_id(self, pair: str) -> str:
        return self.names(pair).rest_id

    def altname(self, pair: str) -> str:
        return self.names(pair).altname

    def __contains__(self, pair: object) -> bool:
        return isinstance(pair, str) and (pair in self._index or pair.upper() in self._index)

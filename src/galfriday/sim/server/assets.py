"""Names the simulator answers to: Kraken's asset codes and every spelling of a pair.

Kraken's REST API names assets with legacy codes (``ZUSD``, ``XXRP``, ``XXDG``) while WS v2 and
this system use the common ones (``USD``, ``XRP``, ``DOGE``); balances are kept in common codes
and renamed at the wire. Pairs are looked up by any spelling a client may send — WS v2 name,
v1 wsname, REST pair id or altname — through ``kraken.symbols.SymbolMap``, the same mapping our
own client uses, so both sides agree by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from galfriday.core.instruments import Instrument
from galfriday.kraken.symbols import V1_TO_V2_ASSET, PairNames, SymbolMap
from galfriday.sim.server import errors
from galfriday.sim.server.errors import ExchangeError

# Kraken's REST codes for the assets whose code differs from the common ticker.
_REST_CODES: dict[str, str] = {
    "USD": "ZUSD",
    "EUR": "ZEUR",
    "GBP": "ZGBP",
    "CAD": "ZCAD",
    "JPY": "ZJPY",
    "BTC": "XXBT",
    "ETH": "XETH",
    "LTC": "XLTC",
    "XRP": "XXRP",
    "DOGE": "XXDG",
    "XLM": "XXLM",
}
_COMMON_CODES = {rest: common for common, rest in _REST_CODES.items()}
_V2_TO_V1_ASSET = {v2: v1 for v1, v2 in V1_TO_V2_ASSET.items()}

# Kraken's ``Assets`` precisions: (decimals, display_decimals); fiat 4/2, crypto 8/5.
_FIAT = frozenset({"USD", "EUR", "GBP", "CAD", "JPY"})


def rest_asset(common: str) -> str:
    """``USD`` -> ``ZUSD``, ``DOGE`` -> ``XXDG``; codes Kraken did not rename pass through."""
    return _REST_CODES.get(common, common)


def common_asset(code: str) -> str:
    """Either spelling -> the common code (``ZUSD`` or ``USD`` -> ``USD``)."""
    return _COMMON_CODES.get(code, code)


def asset_decimals(common: str) -> tuple[int, int]:
    """(decimals, display_decimals) of an asset, as Kraken's ``Assets`` endpoint gives them."""
    return (4, 2) if common in _FIAT else (8, 5)


def v1_wsname(instrument: Instrument) -> str:
    """AssetPairs' ``wsname`` uses the v1 codes: DOGE/USD -> ``XDG/USD``."""
    return (
        f"{_V2_TO_V1_ASSET.get(instrument.base, instrument.base)}/"
        f"{_V2_TO_V1_ASSET.get(instrument.quote, instrument.quote)}"
    )


def rest_pair_id(instrument: Instrument) -> str:
    return instrument.rest_pair_id or instrument.altname or instrument.symbol.replace("/", "")


def altname(instrument: Instrument) -> str:
    return instrument.altname or rest_pair_id(instrument)


class PairDirectory:
    """The simulated instruments, findable by any of Kraken's spellings."""

    def __init__(self, instruments: Iterable[Instrument]) -> None:
        self._by_symbol: dict[str, Instrument] = {i.symbol: i for i in instruments}
        self._names = SymbolMap(
            PairNames(ws_name=i.symbol, ws_v1_name=v1_wsname(i), rest_id=rest_pair_id(i), altname=altname(i))
            for i in self._by_symbol.values()
        )

    @property
    def instruments(self) -> Mapping[str, Instrument]:
        """By WS v2 symbol, in configuration order."""
        return self._by_symbol

    def get(self, pair: str) -> Instrument:
        """The instrument a client names, or ``EQuery:Unknown asset pair``."""
        if pair not in self._names:
            raise ExchangeError(errors.UNKNOWN_PAIR, f"{pair!r} is none of {list(self._by_symbol)}")
        return self._by_symbol[self._names.ws_name(pair)]

    def select(self, pairs: str | None) -> list[Instrument]:
        """A REST ``pair`` parameter (comma list, any spelling) -> instruments; all when absent."""
        if not pairs:
            return list(self._by_symbol.values())
        return [self.get(p.strip()) for p in pairs.split(",") if p.strip()]

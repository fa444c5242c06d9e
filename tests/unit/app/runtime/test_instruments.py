"""Instruments at start: AssetPairs when it answers, the built-in defaults with a warning when not,
a refusal for a pair known to neither; fees always from the configuration."""

from __future__ import annotations

from decimal import Decimal

import pytest

from galfriday.app.runtime import instruments as module
from galfriday.app.runtime.errors import StartRefused
from galfriday.config import load_config
from galfriday.core.instruments import Instrument, default_instruments
from galfriday.kraken.rest_public import KrakenTransportError

ENV = {"GALFRIDAY__EXECUTION__MAKER_FEE": "0.001", "GALFRIDAY__EXECUTION__TAKER_FEE": "0.002"}


async def test_asset_pairs_with_the_configured_fees(monkeypatch: pytest.MonkeyPatch) -> None:
    exchange = {s: i for s, i in default_instruments().items()}
    exchange["XRP/USD"] = Instrument(
        symbol="XRP/USD", base="XRP", quote="USD", price_decimals=4, lot_decimals=2
    )

    async def asset_pairs(url: str, timeout_s: float) -> dict[str, Instrument]:
        return exchange

    monkeypatch.setattr(module, "_asset_pairs", asset_pairs)
    chosen = await module.load_instruments(load_config(None, env=ENV))
    assert set(chosen) == {"XRP/USD", "DOGE/USD"} and chosen["XRP/USD"].price_decimals == 4
    assert all(i.maker_fee == Decimal("0.001") and i.taker_fee == Decimal("0.002") for i in chosen.values())


async def test_defaults_with_a_warning_when_asset_pairs_fails(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def down(url: str, timeout_s: float) -> dict[str, Instrument]:
        raise KrakenTransportError("Kraken AssetPairs: connection refused")

    monkeypatch.setattr(module, "_asset_pairs", down)
    chosen = await module.load_instruments(load_config(None, env=ENV))
    assert chosen["DOGE/USD"].ordermin == default_instruments()["DOGE/USD"].ordermin
    assert any("built-in tick/lot/minimums" in r.getMessage() for r in caplog.records)

    refused = load_config(None, env={**ENV, "GALFRIDAY__PAIRS": '["XRP/USD", "ADA/USD"]'})
    with pytest.raises(StartRefused, match="ADA/USD"):
        await module.load_instruments(refused)

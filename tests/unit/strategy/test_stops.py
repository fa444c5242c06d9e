"""SL/TP: each mode, safe-side rounding, and the refusal of a TP that cannot pay the fees."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from galfriday.config.sections.signal import StrategySettings
from galfriday.core.instruments import Instrument
from galfriday.core.types import OrderType
from galfriday.strategy.stops import Bracket, EntryRefused, bracket
from tests.unit.portfolio._kit import DOGE, XRP, D


def test_fixed_pct_rounds_the_stop_down_and_the_target_up() -> None:
    # 0.51234 × 0.98 = 0.5020932 → SL 0.50209 (down); × 1.04 = 0.5328336 → TP 0.53284 (up)
    assert bracket(StrategySettings(), XRP, D("0.51234"), OrderType.LIMIT, None) == Bracket(
        D("0.50209"), D("0.53284")
    )


def test_reward_risk_puts_the_target_at_a_multiple_of_the_stop_distance() -> None:
    settings = StrategySettings(sl_tp_mode="reward_risk", sl_pct=Decimal("0.01"), reward_risk=Decimal("3"))
    assert bracket(settings, XRP, D("0.50000"), OrderType.LIMIT, None) == Bracket(D("0.49500"), D("0.51500"))


def test_atr_mode_uses_a_multiple_of_atr_and_refuses_without_one() -> None:
    settings = StrategySettings(sl_tp_mode="atr", atr_multiple=Decimal("1.5"), reward_risk=Decimal("2"))
    assert bracket(settings, XRP, D("0.50000"), OrderType.LIMIT, D("0.004")) == Bracket(
        D("0.49400"), D("0.51200")
    )
    with pytest.raises(EntryRefused, match="no ATR for XRP/USD yet"):
        bracket(settings, XRP, D("0.5"), OrderType.LIMIT, None)


def test_a_take_profit_that_does_not_clear_round_trip_fees_is_refused() -> None:
    """A limit entry pays 0.16 % in, a taker exit 0.26 % out: the TP must be ~0.42 % above the entry."""
    settings = StrategySettings(tp_pct=Decimal("0.004"), sl_pct=Decimal("0.004"))
    with pytest.raises(EntryRefused, match="does not clear round-trip fees"):
        bracket(settings, XRP, D("0.50000"), OrderType.LIMIT, None)
    settings = StrategySettings(tp_pct=Decimal("0.0045"), sl_pct=Decimal("0.004"))
    assert bracket(settings, XRP, D("0.50000"), OrderType.LIMIT, None).tp == D("0.50225")
    with pytest.raises(EntryRefused, match=r"entry fee 0\.0026"):  # a market entry pays taker both ways
        bracket(settings, XRP, D("0.50000"), OrderType.MARKET, None)


@settings(max_examples=200, deadline=None)
@given(
    instrument=st.sampled_from(
        [
            XRP,
            DOGE,
            Instrument(
                symbol="ODD/USD",
                base="ODD",
                quote="USD",
                price_decimals=3,
                lot_decimals=1,
                tick_size=Decimal("0.005"),
            ),
        ]
    ),
    entry_ticks=st.integers(1, 10**7),
    sl_bp=st.integers(10, 9999),
    tp_bp=st.integers(60, 3000),
)
def test_stops_are_on_the_tick_and_never_closer_than_asked(  # type: ignore[no-untyped-def]
    instrument, entry_ticks, sl_bp, tp_bp
) -> None:
    entry = entry_ticks * instrument.tick
    settings = StrategySettings(sl_pct=Decimal(sl_bp) / 10_000, tp_pct=Decimal(tp_bp) / 10_000)
    try:
        stops = bracket(settings, instrument, entry, OrderType.LIMIT, None)
    except EntryRefused as refusal:
        assert "fees" in str(refusal) or "rounds to zero" in str(refusal) or "not below" in str(refusal)
        return
    assert instrument.is_on_tick(stops.sl) and instrument.is_on_tick(stops.tp)
    assert entry - stops.sl >= entry * settings.sl_pct
    assert stops.tp - entry >= entry * settings.tp_pct
    assert stops.tp * (1 - instrument.taker_fee) > entry * (1 + instrument.maker_fee)

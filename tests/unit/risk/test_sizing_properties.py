"""Property tests: whatever the portfolio and the signal, an approved size never breaks a cap, a
minimum, the free balance, the tick or the lot."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from galfriday.config.sections.risk import RiskSettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.instruments import Instrument
from galfriday.risk.manager import RiskManager
from tests.unit.portfolio._kit import INSTRUMENTS, T0, signal
from tests.unit.risk._fakes import FakeHalt, FakePortfolio

ODD = Instrument(
    symbol="ODD/USD",
    base="ODD",
    quote="USD",
    price_decimals=3,
    lot_decimals=1,
    tick_size=Decimal("0.005"),
    lot_size=Decimal("0.5"),
    ordermin=Decimal("2"),
    costmin=Decimal("5"),
)
UNIVERSE = {**INSTRUMENTS, ODD.symbol: ODD}


def money(low: int, high: int, places: int = 2) -> st.SearchStrategy[Decimal]:
    scale = 10**places
    return st.integers(low * scale, high * scale).map(lambda n: Decimal(n) / scale)


limits = st.builds(
    RiskSettings,
    risk_per_trade_pct=st.sampled_from([Decimal("0.001"), Decimal("0.005"), Decimal("0.01")]),
    max_exposure_per_asset_pct=st.sampled_from([Decimal("0.05"), Decimal("0.10")]),
    max_total_exposure_pct=st.sampled_from([Decimal("0.10"), Decimal("0.25")]),
    max_order_value_usd=st.sampled_from([Decimal("500"), Decimal("10000")]),
)


@settings(max_examples=300, deadline=None)
@given(
    limits=limits,
    pair=st.sampled_from(sorted(UNIVERSE)),
    mid_ticks=st.integers(200, 2_000_000),
    entry_offset=st.integers(-40, 40),  # thousandths of the mid: within the fat-finger band
    market=st.booleans(),
    sl_permille=st.integers(2, 150),
    equity=money(500, 2_000_000),
    free_share=st.integers(0, 60),
    asset_share=st.integers(0, 6),
    other_share=st.integers(0, 12),
)
def test_approved_sizes_respect_every_cap_minimum_tick_and_lot(  # type: ignore[no-untyped-def]
    limits, pair, mid_ticks, entry_offset, market, sl_permille, equity, free_share, asset_share, other_share
) -> None:
    instrument = UNIVERSE[pair]
    mid = mid_ticks * instrument.tick
    entry = instrument.round_price(mid * (1 + Decimal(entry_offset) / 1000))
    reference = mid if market else entry
    sl = reference * (1 - Decimal(sl_permille) / 1000)
    assume(sl > 2 * instrument.tick)
    portfolio = FakePortfolio(
        equity_value=equity,
        free=equity * free_share / 100,
        prices={pair: mid},
        exposures={pair: equity * asset_share / 100, "OTHER": equity * other_share / 100},
    )
    manager = RiskManager(limits, UNIVERSE, portfolio, FakeHalt(), SimClock(T0), SyncBus().publish)
    proposal = signal(pair, entry=None if market else str(entry), sl=str(sl), tp=str(reference * 2))
    decision = manager.check(proposal)
    if not decision.approved:
        assert decision.stage and decision.reason
        return

    qty, price = decision.qty, decision.price
    notional = qty * price
    assert instrument.is_on_lot(qty) and qty > 0
    for p in (decision.sl_price, decision.tp_price, decision.entry_price):
        assert p is None or instrument.is_on_tick(p)
    assert decision.sl_price <= sl  # rounding never moved the stop closer
    assert qty >= instrument.ordermin and notional >= instrument.costmin
    assert notional >= limits.min_order_value_usd
    assert notional <= limits.max_order_value_usd
    assert portfolio.exposure(pair) + notional <= equity * limits.max_exposure_per_asset_pct
    assert portfolio.total_exposure() + notional <= equity * limits.max_total_exposure_pct
    assert notional * (1 + instrument.taker_fee) <= portfolio.free
    assert qty * (price - decision.sl_price) <= equity * limits.risk_per_trade_pct  # never risks more

"""Synthetic candles: deterministic, on the instrument's grid, consistent OHLC; a planted trend
shows as return autocorrelation only when asked for; and their four-print tapes rebuild the very
same candles through the live ``BarAggregator``."""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import BarClosed, MarketTradeReceived
from galfriday.core.instruments import default_instruments
from galfriday.marketdata.bars import BarAggregator
from galfriday.sim.errors import SimError
from galfriday.sim.market.candles import CandleProfile, candles_as_trades, synthetic_candles
from galfriday.sim.replay import CandleFile, TradeFile

XRP = default_instruments()["XRP/USD"]
START = 1_704_067_200_000_000_000


def profile(**kwargs: object) -> CandleProfile:
    return CandleProfile(instrument=XRP, start_price=Decimal("0.52"), **kwargs)  # type: ignore[arg-type]


def test_the_same_seed_gives_the_same_candles_and_another_seed_others() -> None:
    first = synthetic_candles(profile(), bars=500, start_ns=START, seed=3)
    assert first.equals(synthetic_candles(profile(), bars=500, start_ns=START, seed=3))
    assert not first.equals(synthetic_candles(profile(), bars=500, start_ns=START, seed=4))


def test_prices_are_whole_ticks_and_every_candle_is_consistent(tmp_path: Path) -> None:
    table = synthetic_candles(profile(), bars=2_000, start_ns=START, seed=1)
    pq.write_table(table, tmp_path / "c.parquet")
    bars = list(CandleFile(tmp_path / "c.parquet", "XRP/USD"))  # exact decimals, no rounding asked
    assert len(bars) == 2_000
    for previous, bar in itertools.pairwise(bars):
        assert bar.open == previous.close  # one continuous market
        assert bar.open_time_ns == previous.open_time_ns + 60_000_000_000
    for bar in bars:
        assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high
        for price in (bar.open, bar.high, bar.low, bar.close):
            assert price == price.quantize(XRP.tick) and price > 0
        assert bar.volume > 0 and bar.volume == bar.volume.quantize(XRP.lot)


def _lag1(table: object) -> float:
    closes = np.log(table.column("close").to_numpy())  # type: ignore[attr-defined]
    r = np.diff(closes)
    return float(np.corrcoef(r[1:], r[:-1])[0, 1])


def test_a_martingale_by_default_and_trend_persistence_only_when_planted() -> None:
    plain = synthetic_candles(profile(), bars=20_000, start_ns=START, seed=2)
    trending = synthetic_candles(
        profile(drift_persistence=0.99, drift_share=0.5), bars=20_000, start_ns=START, seed=2
    )
    assert abs(_lag1(plain)) < 0.03  # 20k returns: the noise band is about ±0.014
    assert _lag1(trending) > 0.1


def test_reversion_keeps_weeks_of_trend_in_a_range() -> None:
    kwargs = {"drift_persistence": 0.99, "drift_share": 0.5, "volatility": 0.0025}
    free = synthetic_candles(profile(**kwargs), bars=20_000, start_ns=START, seed=5)
    held = synthetic_candles(profile(**kwargs, reversion=0.004), bars=20_000, start_ns=START, seed=5)
    spread = [np.ptp(np.log(t.column("close").to_numpy())) for t in (free, held)]
    assert spread[1] < spread[0] and spread[1] < np.log(3)


def test_the_four_print_tape_rebuilds_the_same_candles(tmp_path: Path) -> None:
    trending = profile(drift_share=0.3, drift_persistence=0.9)
    candles = synthetic_candles(trending, bars=300, start_ns=START, seed=9)
    pq.write_table(candles, tmp_path / "candles.parquet")
    pq.write_table(candles_as_trades(candles, XRP), tmp_path / "trades.parquet")
    expected = list(CandleFile(tmp_path / "candles.parquet", "XRP/USD", instrument=XRP))

    clock, bus = SimClock(START), SyncBus()
    built: list[BarClosed] = []
    bus.subscribe(BarClosed, built.append)
    aggregator = BarAggregator(clock, bus, interval_s=60)
    bus.subscribe(MarketTradeReceived, aggregator.on_trade)
    aggregator.start()
    for trade in TradeFile(tmp_path / "trades.parquet", "XRP/USD", instrument=XRP):
        clock.advance_to(trade.ts_event)
        bus.publish(trade)
    clock.advance_to(START + 301 * 60_000_000_000)

    assert len(built) == len(expected) == 300
    for ours, theirs in zip(built, expected, strict=True):
        assert (ours.open_time_ns, ours.open, ours.high, ours.low, ours.close, ours.volume) == (
            theirs.open_time_ns,
            theirs.open,
            theirs.high,
            theirs.low,
            theirs.close,
            theirs.volume,
        )


def test_nonsense_profiles_are_refused() -> None:
    with pytest.raises(SimError, match="drift_persistence"):
        profile(drift_persistence=1.0)
    with pytest.raises(SimError, match="garch"):
        profile(garch_alpha=0.5, garch_beta=0.6)
    with pytest.raises(SimError, match="reversion"):
        profile(reversion=-0.1)
    with pytest.raises(SimError, match="bars"):
        synthetic_candles(profile(), bars=0, start_ns=START)

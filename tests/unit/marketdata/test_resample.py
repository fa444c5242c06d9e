"""Resampling bars to higher timeframes, checked against freqtrade's real 5 m candles."""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from pathlib import Path

import pyarrow.feather as feather
import pytest

from galfriday.core.events import BarClosed
from galfriday.marketdata.bars import build_bars, synthetic_bar
from galfriday.marketdata.resample import ResampleError, resample_bars

S = 1_000_000_000
T0 = 1_699_920_000 * S  # 2023-11-14 00:00:00 UTC


@pytest.fixture(scope="module")
def xrp_eth_trades(shared_data: Path) -> tuple[list[int], list[Decimal], list[Decimal]]:
    with gzip.open(shared_data / "freqtrade" / "trades" / "XRP_ETH-trades.json.gz", "rt") as f:
        rows = json.load(f, parse_float=Decimal)
    return [r[0] * 1_000_000 for r in rows], [r[4] for r in rows], [r[5] for r in rows]


def test_1m_to_5m_equals_freqtrade_5m(
    shared_data: Path, xrp_eth_trades: tuple[list[int], list[Decimal], list[Decimal]]
) -> None:
    """Our 1 m bars resampled to 5 m equal freqtrade's XRP_ETH-5m.feather in every row.

    The convention matches (checked on all 706 rows): a 5 m candle is labelled with its START,
    windows are epoch-aligned and left-closed ([:00, :05)), volume is summed, and a window with
    no 1 m candle has no 5 m candle. The file ends at 11:15, a complete window, so no partial
    trailing candle is involved.
    """
    one_minute = build_bars("XRP/ETH", *xrp_eth_trades).bars
    five = resample_bars(one_minute, 300)
    expected = feather.read_table(shared_data / "freqtrade" / "ohlcv" / "XRP_ETH-5m.feather").to_pylist()
    assert len(five) == len(expected) == 706
    for bar, row in zip(five, expected, strict=True):
        assert bar.open_time_ns == int(row["date"].timestamp()) * S
        for name in ("open", "high", "low", "close", "volume"):
            assert Decimal(repr(row[name])) == getattr(bar, name), (row["date"], name)


def test_resampled_equals_bars_built_directly_at_the_higher_interval(
    xrp_eth_trades: tuple[list[int], list[Decimal], list[Decimal]],
) -> None:
    one_minute = build_bars("XRP/ETH", *xrp_eth_trades).bars
    for interval in (300, 900, 3600, 86400):
        resampled = resample_bars(one_minute, interval)
        direct = build_bars("XRP/ETH", *xrp_eth_trades, interval_s=interval).bars
        assert len(resampled) == len(direct)
        for r, d in zip(resampled, direct, strict=True):
            assert (r.open_time_ns, r.ts_event, r.interval_s) == (d.open_time_ns, d.ts_event, interval)
            assert (r.open, r.high, r.low, r.close, r.volume, r.trade_count) == (
                d.open, d.high, d.low, d.close, d.volume, d.trade_count,
            )  # fmt: skip
            # VWAP from 1 m VWAPs (each rounded to 18 places) vs from the trades: within 1e-18.
            assert abs(r.vwap - d.vwap) <= Decimal("1e-18")


def bar(minute: int, o: str, h: str, lo: str, c: str, v: str, vwap: str, count: int = 1) -> BarClosed:
    open_ns = T0 + minute * 60 * S
    prices = {"open": o, "high": h, "low": lo, "close": c, "volume": v, "vwap": vwap}
    return BarClosed(
        ts_event=open_ns + 60 * S,
        ts_init=open_ns + 60 * S,
        pair="XRP/USD",
        interval_s=60,
        open_time_ns=open_ns,
        trade_count=count,
        **{name: Decimal(value) for name, value in prices.items()},
    )


def test_aggregation_and_alignment() -> None:
    bars = [
        bar(3, "1", "2", "1", "2", "1", "1.5"),  # 00:03 -> 00:00 window
        bar(4, "2", "5", "2", "3", "3", "4"),
        bar(5, "3", "3", "0.5", "1", "2", "1", count=4),  # 00:05 -> next window
    ]
    first, second = resample_bars(bars, 300)
    assert (first.open_time_ns, first.ts_event) == (T0, T0 + 300 * S)
    assert (first.open, first.high, first.low, first.close) == (
        Decimal(1),
        Decimal(5),
        Decimal(1),
        Decimal(3),
    )
    assert (first.volume, first.trade_count) == (Decimal(4), 2)
    assert first.vwap == Decimal("3.375")  # (1.5*1 + 4*3) / 4
    assert (second.open_time_ns, second.trade_count, second.low) == (T0 + 300 * S, 4, Decimal("0.5"))


def test_synthetic_only_window_is_synthetic() -> None:
    bars = [
        bar(0, "1", "1", "1", "1", "2", "1"),
        *(synthetic_bar("XRP/USD", 60, T0 + m * 60 * S, Decimal(1), 0) for m in range(5, 10)),
    ]
    first, second = resample_bars(bars, 300)
    assert not first.is_synthetic
    assert second.is_synthetic and second.volume == 0 and second.vwap == Decimal(1)


def test_rejects_what_cannot_be_resampled() -> None:
    a, b = bar(0, "1", "1", "1", "1", "1", "1"), bar(1, "1", "1", "1", "1", "1", "1")
    with pytest.raises(ResampleError, match="whole multiple"):
        resample_bars([a, b], 90)
    with pytest.raises(ResampleError, match="not after bar 0"):
        resample_bars([b, a], 300)
    other = BarClosed(**{**{f: getattr(b, f) for f in b.__struct_fields__}, "pair": "DOGE/USD"})
    with pytest.raises(ResampleError, match="one pair and one interval"):
        resample_bars([a, other], 300)
    assert resample_bars([], 300) == []

"""Trades -> bars: batch and clock-driven streaming, checked against freqtrade's real candles."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.feather as feather
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import BarClosed, DataQualityIssueDetected, MarketTradeReceived, TimeEvent
from galfriday.core.types import Side
from galfriday.marketdata.bars import (
    BarAggregator,
    EmptyBarPolicy,
    IntervalError,
    TradeOutcome,
    build_bars,
    format_interval,
    parse_interval,
)

S = 1_000_000_000
MIN = 60 * S
T0 = 1_699_920_000 * S  # 2023-11-14 00:00:00 UTC, on every boundary up to a day


def bar_values(bar: BarClosed) -> tuple[Any, ...]:
    """Everything that defines a bar (not its event id or creation time)."""
    return (
        bar.pair, bar.interval_s, bar.open_time_ns, bar.ts_event, bar.open, bar.high, bar.low, bar.close,
        bar.volume, bar.vwap, bar.trade_count, bar.is_synthetic,
    )  # fmt: skip


def trade(ts: int, price: str, qty: str, trade_id: str = "", pair: str = "XRP/USD") -> MarketTradeReceived:
    return MarketTradeReceived(
        ts_event=ts,
        ts_init=ts,
        pair=pair,
        price=Decimal(price),
        qty=Decimal(qty),
        side=Side.BUY,
        trade_id=trade_id,
    )


class Harness:
    """A BarAggregator on a SimClock and SyncBus, collecting what it publishes."""

    def __init__(self, start_ns: int = T0, **kwargs: Any) -> None:
        self.clock = SimClock(start_ns)
        self.bus = SyncBus()
        self.bars: list[BarClosed] = []
        self.issues: list[DataQualityIssueDetected] = []
        self.bus.subscribe(BarClosed, self.bars.append)
        self.bus.subscribe(DataQualityIssueDetected, self.issues.append)
        self.agg = BarAggregator(self.clock, self.bus, **kwargs)
        self.agg.start()

    def feed(self, trades: Sequence[MarketTradeReceived]) -> list[TradeOutcome]:
        out = []
        for t in trades:
            if t.ts_event > self.clock.timestamp_ns():
                self.clock.advance_to(t.ts_event)
            out.append(self.agg.on_trade(t))
        return out


# ------------------------------------------------------------------------------ real data


@pytest.fixture(scope="module")
def freqtrade_xrp_eth(shared_data: Path) -> tuple[list[list[Any]], list[dict[str, Any]]]:
    base = shared_data / "freqtrade"
    with gzip.open(base / "trades" / "XRP_ETH-trades.json.gz", "rt") as f:
        trades = json.load(f, parse_float=Decimal)
    candles = feather.read_table(base / "ohlcv" / "XRP_ETH-1m.feather").to_pylist()
    return trades, candles


def assert_equals_freqtrade(bars: list[BarClosed], candles: list[dict[str, Any]]) -> None:
    assert len(bars) == len(candles) == 2469
    for bar, row in zip(bars, candles, strict=True):
        assert bar.open_time_ns == int(row["date"].timestamp()) * S
        for name in ("open", "high", "low", "close", "volume"):
            ours, theirs = getattr(bar, name), row[name]
            # Exact: the reference double is the nearest float to our decimal, and its shortest
            # repr is our decimal's digits.
            assert float(ours) == theirs, (bar.open_time_ns, name)
            assert Decimal(repr(theirs)) == ours, (bar.open_time_ns, name)


def test_batch_bars_equal_freqtrade_candles(
    freqtrade_xrp_eth: tuple[list[list[Any]], list[dict[str, Any]]],
) -> None:
    """freqtrade's XRP/ETH 1 m candles were built from the trades file next to them.

    Conventions aligned (read off the data, every row matches):
    - trade row = [ms timestamp, id, order, side, price, amount, cost]; volume = sum of ``amount``
      (base currency), not of ``cost``;
    - a candle's timestamp is its minute's START (open time), UTC, epoch-aligned;
    - only minutes with trades have candles (our ``skip`` policy; freqtrade drops empty minutes);
    - open/close = first/last trade of the minute in file order (the file is time-sorted).
    freqtrade has no VWAP or trade count, so those are checked elsewhere.
    """
    trades, candles = freqtrade_xrp_eth
    result = build_bars(
        "XRP/ETH",
        [r[0] * 1_000_000 for r in trades],
        [r[4] for r in trades],
        [r[5] for r in trades],
        trade_ids=[r[1] for r in trades],
    )
    assert result.quality.clean and result.quality.accepted == len(trades) == 12477
    assert_equals_freqtrade(result.bars, candles)
    assert sum(b.trade_count for b in result.bars) == len(trades)


def test_streaming_bars_equal_freqtrade_candles(
    freqtrade_xrp_eth: tuple[list[list[Any]], list[dict[str, Any]]],
) -> None:
    """The same trades replayed through BarAggregator on a SimClock give the same candles,
    every bar closed by the clock at its minute boundary (conventions as in the batch test)."""
    trades, candles = freqtrade_xrp_eth
    first = trades[0][0] * 1_000_000
    h = Harness(start_ns=first - first % MIN)
    events = [
        MarketTradeReceived(
            ts_event=r[0] * 1_000_000, ts_init=r[0] * 1_000_000, pair="XRP/ETH", price=r[4], qty=r[5],
            side=Side.BUY if r[3] == "buy" else Side.SELL, trade_id=r[1],
        )
        for r in trades
    ]  # fmt: skip
    assert set(h.feed(events)) == {TradeOutcome.ACCEPTED}
    last = events[-1].ts_event
    h.clock.advance_to(last - last % MIN + MIN)
    assert_equals_freqtrade(h.bars, candles)
    assert all(b.ts_event == b.open_time_ns + MIN for b in h.bars)
    batch = build_bars(
        "XRP/ETH", [e.ts_event for e in events], [e.price for e in events], [e.qty for e in events]
    )
    assert [bar_values(b) for b in h.bars] == [bar_values(b) for b in batch.bars]  # incl. VWAP, count


# ------------------------------------------------------------------------------ streaming


def test_bar_is_closed_by_the_clock_not_by_the_next_trade() -> None:
    h = Harness()
    h.feed([trade(T0 + 1 * S, "0.5", "10"), trade(T0 + 30 * S, "0.7", "10"), trade(T0 + 59 * S, "0.4", "20")])
    assert h.bars == []
    h.clock.advance_to(T0 + MIN)  # no further trade: the boundary alone closes it
    (bar,) = h.bars
    assert (bar.open, bar.high, bar.low, bar.close) == (
        Decimal("0.5"),
        Decimal("0.7"),
        Decimal("0.4"),
        Decimal("0.4"),
    )
    assert (bar.volume, bar.trade_count, bar.open_time_ns, bar.ts_event) == (Decimal(40), 3, T0, T0 + MIN)
    assert bar.vwap == Decimal("0.5")  # (5 + 7 + 8) / 40
    assert bar.ts_init == T0 + MIN


def test_a_trade_on_the_boundary_opens_the_next_bar() -> None:
    h = Harness()
    h.feed([trade(T0 + 10 * S, "1", "1"), trade(T0 + MIN, "2", "1")])
    assert [b.close for b in h.bars] == [Decimal(1)]
    h.clock.advance_to(T0 + 2 * MIN)
    assert [b.open_time_ns for b in h.bars] == [T0, T0 + MIN]


def test_late_trade_is_reported_not_mixed_in() -> None:
    h = Harness()
    h.feed([trade(T0 + 5 * S, "1", "1", "a")])
    h.clock.advance_to(T0 + MIN + 2 * S)
    outcome = h.agg.on_trade(trade(T0 + 58 * S, "9", "1", "late-1"))  # for the bar already closed
    assert outcome is TradeOutcome.LATE
    h.clock.advance_to(T0 + 2 * MIN)
    assert [b.high for b in h.bars] == [Decimal(1)]  # the closed bar is unchanged, no bar re-opened
    assert h.agg.quality.late == 1
    (issue,) = h.issues
    assert (issue.kind, issue.pair, issue.ts_event) == ("out_of_order", "XRP/USD", T0 + 58 * S)
    assert "late-1" in issue.detail


def test_duplicate_trade_ids_are_dropped_and_reported() -> None:
    h = Harness()
    outcomes = h.feed([trade(T0 + 1 * S, "1", "1", "t1"), trade(T0 + 2 * S, "1", "1", "t1")])
    assert outcomes == [TradeOutcome.ACCEPTED, TradeOutcome.DUPLICATE]
    h.clock.advance_to(T0 + MIN)
    assert h.bars[0].volume == Decimal(1)
    assert [i.kind for i in h.issues] == ["duplicate"]


@pytest.mark.parametrize(
    ("price", "qty"), [("0", "1"), ("-1", "1"), ("1", "0"), ("NaN", "1"), ("1", "Infinity")]
)
def test_bad_values_are_dropped_and_reported(price: str, qty: str) -> None:
    h = Harness()
    assert h.feed([trade(T0 + S, price, qty)]) == [TradeOutcome.BAD_VALUE]
    assert [i.kind for i in h.issues] == ["bad_value"]


def test_started_mid_interval_the_partial_bar_is_not_published() -> None:
    h = Harness(start_ns=T0 + 20 * S)
    outcomes = h.feed([trade(T0 + 25 * S, "1", "1"), trade(T0 + MIN + 1 * S, "2", "1")])
    assert outcomes == [TradeOutcome.BEFORE_START, TradeOutcome.ACCEPTED]
    h.clock.advance_to(T0 + 2 * MIN)
    assert [b.open_time_ns for b in h.bars] == [T0 + MIN]
    assert h.issues == []  # expected at start, not a data-quality problem


def test_skip_policy_leaves_empty_minutes_out() -> None:
    h = Harness()
    h.feed([trade(T0 + S, "1", "1"), trade(T0 + 3 * MIN + S, "2", "1")])
    h.clock.advance_to(T0 + 5 * MIN)
    assert [b.open_time_ns for b in h.bars] == [T0, T0 + 3 * MIN]


def test_carry_forward_fills_empty_minutes_at_the_previous_close() -> None:
    h = Harness(empty_policy=EmptyBarPolicy.CARRY_FORWARD)
    h.clock.advance_to(T0 + 2 * MIN)  # no trade yet: nothing to carry
    assert h.bars == []
    h.feed(
        [
            trade(T0 + 2 * MIN + S, "1", "1"),
            trade(T0 + 2 * MIN + 2 * S, "1.5", "1"),
            trade(T0 + 5 * MIN, "2", "3"),
        ]
    )
    h.clock.advance_to(T0 + 7 * MIN)
    assert [(b.open_time_ns - T0) // MIN for b in h.bars] == [2, 3, 4, 5, 6]
    assert [b.is_synthetic for b in h.bars] == [False, True, True, False, True]
    gap = h.bars[1]
    assert (gap.open, gap.high, gap.low, gap.close, gap.vwap) == (Decimal("1.5"),) * 5
    assert (gap.volume, gap.trade_count) == (Decimal(0), 0)
    assert h.bars[4].close == Decimal(2)


def test_pairs_are_independent_and_published_in_time_order() -> None:
    h = Harness()
    h.feed([trade(T0 + S, "1", "1", pair="DOGE/USD"), trade(T0 + 2 * S, "0.5", "2", pair="XRP/USD")])
    h.clock.advance_to(T0 + MIN)
    assert [(b.pair, b.close) for b in h.bars] == [("DOGE/USD", Decimal(1)), ("XRP/USD", Decimal("0.5"))]


def test_a_late_timer_closes_every_interval_that_ended() -> None:
    h = Harness(empty_policy=EmptyBarPolicy.CARRY_FORWARD)
    h.feed([trade(T0 + S, "1", "1")])
    h.agg.close_until(T0 + 3 * MIN)  # e.g. the event loop was blocked for three minutes
    assert [(b.open_time_ns - T0) // MIN for b in h.bars] == [0, 1, 2]
    h.clock.advance_to(T0 + 3 * MIN)  # the timer's own firings for those boundaries add nothing
    assert len(h.bars) == 3


def test_close_delay_waits_for_trades_in_flight() -> None:
    h = Harness(close_delay_ms=500)
    h.feed([trade(T0 + S, "1", "1")])
    h.clock.advance_to(T0 + MIN + 100_000_000)
    assert h.agg.on_trade(trade(T0 + 59 * S + 900_000_000, "2", "1")) is TradeOutcome.ACCEPTED
    h.clock.advance_to(T0 + MIN + 500_000_000)
    assert [(b.close, b.ts_init) for b in h.bars] == [(Decimal(2), T0 + MIN + 500_000_000)]


def test_open_and_close_follow_timestamps_not_arrival_order() -> None:
    h = Harness()
    h.feed([trade(T0 + 10 * S, "2", "1")])
    h.agg.on_trade(trade(T0 + 5 * S, "1", "1"))  # arrives second, happened first
    h.clock.advance_to(T0 + MIN)
    assert (h.bars[0].open, h.bars[0].close) == (Decimal(1), Decimal(2))


# ---------------------------------------------------------------------------------- batch


def test_batch_reports_out_of_order_and_duplicates_and_still_buckets_correctly() -> None:
    ts = [T0 + 10 * S, T0 + 5 * S, T0 + MIN + S, T0 + 20 * S, T0 + 30 * S]
    prices = [Decimal(p) for p in ("2", "1", "5", "3", "9")]
    qtys = [Decimal(1)] * 5
    result = build_bars("XRP/USD", ts, prices, qtys, trade_ids=["a", "b", "c", "d", "a"])
    q = result.quality
    assert (q.accepted, q.out_of_order, q.duplicates) == (4, 2, 1)
    assert any("row 4: duplicate trade_id 'a'" in e for e in q.examples)
    first, second = result.bars
    assert (first.open, first.close, first.high, first.trade_count) == (Decimal(1), Decimal(3), Decimal(3), 3)
    assert (second.open_time_ns, second.close) == (T0 + MIN, Decimal(5))


def test_batch_carry_forward_matches_streaming() -> None:
    trades = [
        trade(T0 + S, "1", "2"),
        trade(T0 + 4 * MIN + S, "3", "1"),
        trade(T0 + 4 * MIN + 9 * S, "2", "1"),
    ]
    batch = build_bars(
        "XRP/USD", [t.ts_event for t in trades], [t.price for t in trades], [t.qty for t in trades],
        empty_policy=EmptyBarPolicy.CARRY_FORWARD,
    )  # fmt: skip
    h = Harness(empty_policy=EmptyBarPolicy.CARRY_FORWARD)
    h.feed(trades)
    h.clock.advance_to(T0 + 5 * MIN)
    assert [bar_values(b) for b in batch.bars] == [bar_values(b) for b in h.bars]
    assert [b.is_synthetic for b in batch.bars] == [False, True, True, True, False]


def test_vwap_is_exact_then_rounded_to_18_places() -> None:
    result = build_bars("X", [T0, T0 + S, T0 + 2 * S], [Decimal(1), Decimal(2), Decimal(2)], [Decimal(1)] * 3)
    assert result.bars[0].vwap == Decimal("1.666666666666666667")


def test_interval_parsing() -> None:
    assert [parse_interval(s) for s in ("1m", "5m", "15m", "1h", "4h", "1d", "30s", 90)] == [
        60, 300, 900, 3600, 14400, 86400, 30, 90,
    ]  # fmt: skip
    assert [format_interval(s) for s in (60, 300, 3600, 86400, 90, 604800)] == [
        "1m",
        "5m",
        "1h",
        "1d",
        "90s",
        "1w",
    ]
    for bad in ("1x", "m", "0m", "-1m", 0):
        with pytest.raises(IntervalError):
            parse_interval(bad)


# ------------------------------------------------------------------------------- property

_trade_lists = st.lists(
    st.tuples(
        st.integers(0, 10 * 60 * 1000),  # ms offset within ten minutes
        st.decimals("0.0001", "100", places=4),
        st.decimals("0.00000001", "1000", places=8),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(_trade_lists, st.sampled_from(list(EmptyBarPolicy)), st.sampled_from([60, 120, 300]))
def test_streaming_equals_batch_for_any_sorted_trades(
    rows: list[tuple[int, Decimal, Decimal]], policy: EmptyBarPolicy, interval_s: int
) -> None:
    rows.sort(key=lambda r: r[0])
    trades = [trade(T0 + ms * 1_000_000, str(p), str(q), str(i)) for i, (ms, p, q) in enumerate(rows)]
    h = Harness(empty_policy=policy, interval_s=interval_s)
    assert set(h.feed(trades)) == {TradeOutcome.ACCEPTED}
    last = trades[-1].ts_event
    interval_ns = interval_s * S
    h.clock.advance_to(last - last % interval_ns + interval_ns)
    batch = build_bars(
        "XRP/USD", [t.ts_event for t in trades], [t.price for t in trades], [t.qty for t in trades],
        trade_ids=[t.trade_id for t in trades], interval_s=interval_s, empty_policy=policy,
    )  # fmt: skip
    assert [bar_values(b) for b in h.bars] == [bar_values(b) for b in batch.bars]
    assert sum(b.volume for b in batch.bars) == sum(t.qty for t in trades)
    assert sum(b.trade_count for b in batch.bars) == len(trades)
    for b in batch.bars:
        assert b.low <= min(b.open, b.close) and b.high >= max(b.open, b.close)
        assert b.low <= b.vwap <= b.high


def test_a_live_timer_firing_a_hair_early_still_closes_its_bar() -> None:
    """LiveClock stamps the TimeEvent with the wall time of the firing, which can be a bit early."""
    h = Harness()
    h.feed([trade(T0 + S, "1", "1")])
    h.agg._on_timer(TimeEvent(ts_event=T0 + MIN - 2_000_000, ts_init=0, name=h.agg.timer_name))  # 2 ms early
    assert [b.open_time_ns for b in h.bars] == [T0]

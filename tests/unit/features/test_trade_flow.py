"""Trade flow (volume delta, trade VWAP) over time windows: exact, causal, streaming = batch."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from galfriday.features.indicators import TradeFlow, TradePrints

from ._refs import assert_same, recorded_trades

S = 1_000_000_000


def _exact(trades: list[tuple[int, Decimal, Decimal, bool]], t: int, window_ns: int) -> tuple[float, float]:
    """The definition, by brute force: trades with t - window < ts <= t."""
    inside = [tr for tr in trades if t - window_ns < tr[0] <= t and tr[2] > 0]
    signed = sum((q if buy else -q for _, _, q, buy in inside), Decimal(0))
    volume = sum((q for _, _, q, _ in inside), Decimal(0))
    notional = sum((p * q for _, p, q, _ in inside), Decimal(0))
    return float(signed), float(notional / volume) if volume else math.nan


@pytest.mark.parametrize("window_s", [10, 60])
def test_streaming_equals_batch_on_real_kraken_trades(shared_data: Path, window_s: int) -> None:
    trades = recorded_trades(shared_data)
    first, last = trades[0].ts_event, trades[-1].ts_event
    closes = np.arange(first // (60 * S) * 60 * S + 60 * S, last + 120 * S, 60 * S)  # 1 m bar closes
    flow = TradeFlow(window_s)
    streamed = []
    i = 0
    for t in closes.tolist():
        while i < len(trades) and trades[i].ts_event <= t:
            e = trades[i]
            flow.add(e.ts_event, e.price, e.qty, e.side.value == "BUY")
            i += 1
        streamed.append(tuple(flow.at(t)))
    prints = TradePrints(
        np.array([e.ts_event for e in trades]),
        [e.price for e in trades],
        [e.qty for e in trades],
        np.array([e.side.value == "BUY" for e in trades]),
    )
    batch = prints.flow(closes, window_s)
    assert_same(np.array(streamed), np.column_stack(batch))
    rows = [(e.ts_event, e.price, e.qty, e.side.value == "BUY") for e in trades]
    for t, got in zip(closes.tolist()[::20], streamed[::20], strict=True):
        assert_same(np.array(got), np.array(_exact(rows, t, window_s * S)))


trade = st.tuples(
    st.integers(0, 200),  # seconds
    st.decimals("0.0001", "100000", places=4),
    st.decimals("0", "50", places=8),
    st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(trade, max_size=40), st.lists(st.integers(0, 260), min_size=1, max_size=10).map(sorted))
def test_streaming_batch_and_definition_agree_with_early_and_late_arrivals(
    raw: list[tuple[int, Decimal, Decimal, bool]], queries: list[int]
) -> None:
    """Trades arrive in any order and may arrive before the bar they follow: at each query time
    the window holds exactly the trades stamped in (t - 30 s, t]."""
    window_ns = 30 * S
    rows = [(s * S, p, q, b) for s, p, q, b in raw]
    flow = TradeFlow(30, grace_s=1000)
    for row in rows:
        flow.add(*row)
    streamed = [tuple(flow.at(q * S)) for q in queries]
    expected = [_exact(rows, q * S, window_ns) for q in queries]
    assert_same(np.array(streamed), np.array(expected))
    prints = TradePrints(
        np.array([r[0] for r in rows], dtype=np.int64),
        [r[1] for r in rows],
        [r[2] for r in rows],
        np.array([r[3] for r in rows], dtype=bool),
    )
    batch = prints.flow(np.array(queries, dtype=np.int64) * S, 30)
    assert_same(np.column_stack(batch), np.array(expected).reshape(-1, 2))


def test_a_trade_after_the_close_is_not_counted() -> None:
    flow = TradeFlow(60)
    flow.add(59 * S, Decimal("1.0"), Decimal("2"), True)
    flow.add(61 * S, Decimal("9.0"), Decimal("5"), False)  # delivered before the bar closing at 60 s
    assert tuple(flow.at(60 * S)) == (2.0, 1.0)
    assert tuple(flow.at(120 * S)) == (-5.0, 9.0)  # 59 s has left the window (60, 120]


def test_sums_stay_exact_over_many_trades() -> None:
    """After 50,000 trades have passed through a 10 s window, an empty window is exactly 0 again."""
    flow = TradeFlow(10)
    rng = np.random.default_rng(5)
    prices = [Decimal(f"{p:.5f}") for p in rng.uniform(0.3, 0.7, 50_000)]
    qtys = [Decimal(f"{q:.8f}") for q in rng.exponential(300, 50_000)]
    for i, (p, q) in enumerate(zip(prices, qtys, strict=True)):
        flow.add(i * S // 10, p, q, i % 3 == 0)
    delta, vwap = flow.at(10_000 * S)
    assert delta == 0.0 and math.isnan(vwap)


def test_queries_cannot_go_back_in_time_and_zero_quantities_are_ignored() -> None:
    flow = TradeFlow(10)
    flow.add(S, Decimal("1"), Decimal("0"), True)
    assert math.isnan(flow.at(2 * S).vwap)
    with pytest.raises(ValueError, match="back in time"):
        flow.at(S)


def test_batch_accepts_numpy_strings_and_decimals_alike() -> None:
    ts = np.array([1, 2, 3], dtype=np.int64) * S
    buys = np.array([True, False, True])
    at = np.array([3 * S])
    as_numpy = TradePrints(ts, np.array([0.5, 0.25, 0.125]), np.array([2.0, 4.0, 8.0]), buys).flow(at, 10)
    as_text = TradePrints(ts, ["0.5", "0.25", "0.125"], ["2", "4", "8"], buys).flow(at, 10)
    as_ints = TradePrints(ts, [Decimal("0.5"), Decimal("0.25"), Decimal("0.125")], np.array([2, 4, 8]), buys)
    assert_same(np.column_stack(as_numpy), np.column_stack(as_text))
    assert_same(np.column_stack(as_ints.flow(at, 10)), np.array([[6.0, 3.0 / 14.0]]))

"""The exchange's own market records: the trade tape's cursor, candles and the two clocks."""

from __future__ import annotations

import math
from decimal import Decimal

from galfriday.core.events import BarClosed, MarketTradeReceived
from galfriday.core.types import Side
from galfriday.sim.server.clock import MarketClock
from galfriday.sim.server.ohlc import CandleSeries, OhlcStore
from galfriday.sim.server.tape import TradeTape

S = 1_000_000_000


def _trade(ts: int, price: str = "0.5", qty: str = "10") -> MarketTradeReceived:
    return MarketTradeReceived(
        ts_event=ts,
        ts_init=ts,
        pair="XRP/USD",
        price=Decimal(price),
        qty=Decimal(qty),
        side=Side.BUY,
        trade_id="x",
    )


def test_tape_cursor_is_exclusive_and_accepts_seconds() -> None:
    tape = TradeTape()
    t0 = 1_700_000_000
    for i in range(1, 6):
        tape.add(_trade((t0 + i) * S))
    assert [t.trade_id for t in tape.since((t0 + 2) * S, 10)] == [3, 4, 5]
    assert [t.trade_id for t in tape.since(t0 + 2, 2)] == [3, 4]  # a small cursor is unix seconds
    assert [t.trade_id for t in tape.since(None, 2)] == [4, 5]  # no cursor: the newest
    assert tape.since((t0 + 9) * S, 10) == []


def test_ohlc_page_has_720_committed_candles_and_last_is_the_newest_committed() -> None:
    series = CandleSeries(1)
    for minute in range(800):
        series.add_trade(minute * 60 * S, Decimal("0.5"), Decimal(1))
    candles, last = series.page(None)
    assert len(candles) == 721 and last == candles[-2].open_s == 798 * 60
    newer, _ = series.page(last)
    assert [c.open_s for c in newer] == [799 * 60]


def test_candles_aggregate_trades_and_bars() -> None:
    store = OhlcStore()
    store.add_trade(0, Decimal("0.5"), Decimal(2))
    store.add_trade(30 * S, Decimal("0.7"), Decimal(2))
    store.add_trade(90 * S, Decimal("0.4"), Decimal(1))
    five = store.series[5].candles[0]
    assert (five.open, five.high, five.low, five.close, five.volume, five.count) == (
        Decimal("0.5"),
        Decimal("0.7"),
        Decimal("0.4"),
        Decimal("0.4"),
        Decimal(5),
        3,
    )
    assert five.vwap == Decimal("0.56")
    bars = OhlcStore()
    for hour in range(3):
        bars.add_bar(
            BarClosed(
                ts_event=(hour + 1) * 3600 * S,
                ts_init=0,
                pair="XRP/USD",
                interval_s=3600,
                open_time_ns=hour * 3600 * S,
                open=Decimal(1),
                high=Decimal(2 + hour),
                low=Decimal(1),
                close=Decimal(1),
                volume=Decimal(10),
                vwap=Decimal(1),
                trade_count=4,
            )
        )
    assert bars.series[1].candles == bars.series[30].candles  # both empty: hourly bars do not divide them
    assert len(bars.series[60].candles) == 3 and bars.series[240].candles[0].high == 4
    assert bars.finest() is bars.series[60]


def test_market_time_follows_the_wall_at_the_replay_speed() -> None:
    mono = [0]
    clock = MarketClock(10.0, wall_ns=lambda: 5 * S, monotonic_ns=lambda: mono[0])
    assert clock.market_now_ns() == 0
    clock.saw(1_000 * S)
    mono[0] = 2 * S
    assert clock.market_now_ns() == 1_020 * S
    assert clock.market_at_wall(6 * S) == 1_030 * S  # one wall second ahead = ten market seconds
    fast = MarketClock(math.inf, wall_ns=lambda: 0, monotonic_ns=lambda: mono[0])
    fast.saw(7 * S)
    fast.saw(5 * S)  # late data never moves market time back
    assert fast.market_now_ns() == 7 * S

"""Replay of Parquet candles and trades: columns, units, sides, ordering, merging and pacing."""

from __future__ import annotations

import itertools
import math
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

from galfriday.core.events import BarClosed, MarketTradeReceived
from galfriday.core.types import OrderStatus, Side
from galfriday.sim.errors import SimError
from galfriday.sim.replay import CandleFile, Replay, TradeFile
from tests.unit.sim._kit import XRP, D, engine, market, trades_of

S = 1_000_000_000
T0 = 1_700_000_000_000  # ms


def _parquet(tmp_path: Path, name: str, columns: dict[str, object]) -> Path:
    path = tmp_path / name
    pq.write_table(pa.table(columns), path)
    return path


def test_real_binance_trades_file(shared_data: Path) -> None:
    source = TradeFile(shared_data / "nautilus_trader/other/btcusdt-trades.parquet", "BTC/USDT")
    trades = list(source)
    assert len(trades) == len(source) == 2001
    first = trades[0]
    assert first.ts_event == 1_610_064_000_278_000_000  # 2021-01-08 00:00:00.278 UTC
    assert (first.price, first.qty, first.trade_id) == (D("39432.48"), D("0.000263"), "553287559")
    assert first.side is Side.SELL and trades[1].side is Side.BUY  # buyer_maker "True" / "False"
    assert all(a.ts_event <= b.ts_event for a, b in itertools.pairwise(trades))


def test_real_candles_with_inferred_interval(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "xrp_5m.parquet"
    pq.write_table(feather.read_table(shared_data / "freqtrade/ohlcv/XRP_USDT_USDT-5m-futures.feather"), path)
    candles = CandleFile(path, "XRP/USD")
    bars = list(candles)
    assert candles.interval_s == 300 and len(bars) == len(candles) == 1999
    first = bars[0]
    assert first.open_time_ns == 1_636_934_400 * S and first.ts_event == first.open_time_ns + 300 * S
    ohlc = [first.open, first.high, first.low, first.close]
    assert ohlc == [D("1.1893"), D("1.1954"), D("1.1891"), D("1.1941")]
    assert first.vwap == D("1.1929")  # (H+L+C)/3 at the close's precision, no vwap column


def test_unsorted_rows_are_replayed_in_time_order_ties_keep_file_order(tmp_path: Path) -> None:
    path = _parquet(tmp_path, "t.parquet", {
        "timestamp": [T0 + 3_000, T0 + 1_000, T0 + 2_000, T0 + 1_000],  # epoch ms
        "price": ["0.5", "0.4", "0.45", "0.41"], "qty": ["1", "2", "3", "4"],
        "side": ["b", "sell", "BUY", "s"],
    })
    trades = list(TradeFile(path, "XRP/USD"))
    assert [t.ts_event - T0 * 10**6 for t in trades] == [S, S, 2 * S, 3 * S]
    assert [t.qty for t in trades] == [D(2), D(4), D(3), D(1)]
    assert [t.side for t in trades] == [Side.SELL, Side.SELL, Side.BUY, Side.BUY]


@pytest.mark.parametrize("scale", [1, 1_000, 1_000_000, 1_000_000_000])
def test_integer_timestamp_units_are_inferred(tmp_path: Path, scale: int) -> None:
    path = _parquet(tmp_path, "t.parquet", {"timestamp": [1_700_000_000 * scale], "price": [1.5], "qty": [2]})
    (trade,) = TradeFile(path, "XRP/USD")
    assert trade.ts_event == 1_700_000_000 * S and trade.price == D("1.5") and trade.qty == D(2)


def test_float_seconds_aliases_tick_rule_and_instrument_snapping(tmp_path: Path) -> None:
    path = _parquet(tmp_path, "t.parquet", {
        "time": [1_700_000_000.25, 1_700_000_001.5, 1_700_000_002.0, 1_700_000_003.0],
        "price": [0.500004, 0.5000061, 0.5000061, 0.49], "amount": [10.000000004, 1.0, 1.0, 1.0],
    })
    trades = list(TradeFile(path, "XRP/USD", instrument=XRP))
    assert trades[0].ts_event == 1_700_000_000_250_000_000
    assert [t.price for t in trades] == [D("0.50000"), D("0.50001"), D("0.50001"), D("0.49000")]
    assert trades[0].qty == D("10.00000000")
    assert [t.side for t in trades] == [Side.BUY, Side.BUY, Side.BUY, Side.SELL]


def test_candle_columns_vwap_and_count_are_used_when_present(tmp_path: Path) -> None:
    path = _parquet(tmp_path, "c.parquet", {
        "timestamp": pa.array([0, 60 * S], pa.timestamp("ns", tz="UTC")), "open": ["1", "2"],
        "high": ["3", "4"], "low": ["0.5", "1"], "close": ["2", "3"], "volume": ["10", "0"],
        "vwap": ["1.7", "3"], "count": [5, 0],
    })
    bars = list(CandleFile(path, "XRP/USD"))
    assert [(b.vwap, b.trade_count, b.ts_event) for b in bars] == [(D("1.7"), 5, 60 * S), (D(3), 0, 120 * S)]


def test_bad_files_fail_early_with_a_hint(tmp_path: Path) -> None:
    no_qty = _parquet(tmp_path, "a.parquet", {"timestamp": [1], "price": [1.0]})
    with pytest.raises(SimError, match="no 'qty' column"):
        TradeFile(no_qty, "XRP/USD")
    bad_side = _parquet(tmp_path, "b.parquet", {"timestamp": [1], "price": [1], "qty": [1], "side": ["x"]})
    with pytest.raises(SimError, match="not buy/sell"):
        TradeFile(bad_side, "XRP/USD")
    ohlcv = {c: [1.0] for c in ("open", "high", "low", "close", "volume")}
    one_bar = _parquet(tmp_path, "c.parquet", {"timestamp": [S], **ohlcv})
    with pytest.raises(SimError, match="pass interval_s"):
        CandleFile(one_bar, "XRP/USD")
    assert len(CandleFile(one_bar, "XRP/USD", interval_s=60)) == 1
    holes = _parquet(tmp_path, "e.parquet", {"timestamp": [1, 2], "price": [1.0, None], "qty": [1.0, 1.0]})
    with pytest.raises(SimError, match="1 empty value"):
        TradeFile(holes, "XRP/USD")
    text_time = _parquet(tmp_path, "d.parquet", {"timestamp": ["noon"], "price": [1.0], "qty": [1.0]})
    with pytest.raises(SimError, match="is not a time"):
        TradeFile(text_time, "XRP/USD")


def _sources(tmp_path: Path) -> tuple[CandleFile, TradeFile]:
    candles = CandleFile(_parquet(tmp_path, "c.parquet", {
        "timestamp": [0, 60], "open": [1.0, 1.0], "high": [1.0, 1.0], "low": [1.0, 1.0],
        "close": [1.0, 1.0], "volume": [1.0, 1.0]}), "XRP/USD")  # bars close at 60 s and 120 s
    trades = TradeFile(_parquet(tmp_path, "t.parquet", {
        "timestamp": [30, 60, 90], "price": [1.0, 1.0, 1.0], "qty": [1.0, 1.0, 1.0]}), "DOGE/USD")
    return candles, trades


def test_replay_merges_sources_in_time_order(tmp_path: Path) -> None:
    events = list(Replay(*_sources(tmp_path)))
    assert [(type(e).__name__, e.ts_event // S) for e in events] == [
        ("MarketTradeReceived", 30), ("BarClosed", 60), ("MarketTradeReceived", 60),
        ("MarketTradeReceived", 90), ("BarClosed", 120),
    ]
    with pytest.raises(SimError, match="at least one source"):
        Replay()


class _FakeTime:
    def __init__(self) -> None:
        self.now, self.sleeps = 100.0, []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.mark.parametrize(("speed", "expected"), [(1.0, [30.0, 30.0, 30.0]), (10.0, [3.0, 3.0, 3.0])])
async def test_paced_replay_waits_out_the_gaps(tmp_path: Path, speed: float, expected: list[float]) -> None:
    fake = _FakeTime()
    events = [e async for e in Replay(*_sources(tmp_path)).paced(speed, sleep=fake.sleep, clock=fake.clock)]
    assert len(events) == 5 and fake.sleeps == pytest.approx(expected)


async def test_max_speed_replay_only_yields_to_the_loop(tmp_path: Path) -> None:
    fake = _FakeTime()
    many = [MarketTradeReceived(ts_event=i * S, ts_init=i * S, pair="XRP/USD", price=D(1), qty=D(1),
                                side=Side.BUY) for i in range(2_500)]
    events = [e async for e in Replay(many).paced(math.inf, sleep=fake.sleep, clock=fake.clock)]
    assert len(events) == 2_500 and fake.sleeps == [0, 0]
    with pytest.raises(SimError, match="speed must be > 0"):
        [e async for e in Replay(many).paced(0)]


def test_replayed_bars_drive_the_matching_engine(tmp_path: Path) -> None:
    path = _parquet(tmp_path, "c.parquet", {
        "timestamp": [0, 60, 120], "open": ["0.5", "0.51", "0.52"], "high": ["0.5", "0.51", "0.52"],
        "low": ["0.5", "0.51", "0.52"], "close": ["0.5", "0.51", "0.52"], "volume": ["1000", "1000", "1000"],
    })
    e = engine(slippage_bps=Decimal(0))
    e.submit(market(Side.BUY, "150"), 60 * S)  # after the first bar opened: it cannot use it
    fills = [f for bar in CandleFile(path, "XRP/USD", instrument=XRP) for f in trades_of(e.on_event(bar))]
    assert [(f.last_qty, f.last_price) for f in fills] == [(D(100), D("0.51")), (D(50), D("0.52"))]
    assert fills[-1].status is OrderStatus.FILLED
    assert isinstance(next(iter(CandleFile(path, "XRP/USD"))), BarClosed)

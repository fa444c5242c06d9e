"""Reading market data for a backtest: candle and trade files in place, history folders, windows."""

from __future__ import annotations

from pathlib import Path

import pytest

from galfriday.backtest import BacktestError, DataKind, feed_from_specs, open_file
from galfriday.backtest.instruments import backtest_instruments
from galfriday.core.events import BarClosed, MarketTradeReceived
from galfriday.marketdata.history.layout import HistoryLayout
from galfriday.marketdata.history.schema import bars_to_table
from galfriday.marketdata.history.store import write_candles
from galfriday.marketdata.history.times import to_ns
from galfriday.sim.replay import CandleFile, TradeFile
from tests.unit.backtest._kit import permissive

XRP_5M = "freqtrade/ohlcv/XRP_USDT_USDT-5m-futures.feather"
BTC_MONTHLY = "backtesting.py/BTCUSD.csv"
ASSET_PAIRS = "cryptofeed/KRAKEN.0"
TRADES = "nautilus_trader/other/btcusdt-trades.parquet"


@pytest.fixture(scope="module")
def xrp() -> dict:  # type: ignore[type-arg]
    settings = permissive()
    return backtest_instruments(settings, settings.pairs)


def test_instruments_take_the_configured_fees_and_other_pairs_need_asset_pairs(shared_data: Path) -> None:
    settings = permissive(execution={"taker_fee": "0.004", "maker_fee": "0.0025"})
    (xrp,) = backtest_instruments(settings, ["XRP/USD"]).values()
    assert (str(xrp.taker_fee), str(xrp.maker_fee)) == ("0.004", "0.0025")
    with pytest.raises(BacktestError, match="--asset-pairs"):
        backtest_instruments(settings, ["BTC/USD"])
    xbt = backtest_instruments(settings, ["BTC/USD"], asset_pairs_file=shared_data / ASSET_PAIRS)["BTC/USD"]
    assert str(xbt.tick) == "0.1" and str(xbt.taker_fee) == "0.004"


def test_a_feather_candle_file_is_read_in_place(shared_data: Path, xrp: dict) -> None:  # type: ignore[type-arg]
    source = open_file(shared_data / XRP_5M, "XRP/USD", xrp["XRP/USD"])
    assert isinstance(source, CandleFile) and len(source) == 1999 and source.interval_s == 300
    first = next(iter(source))
    assert (
        first.open_time_ns == to_ns("2021-11-15T00:00:00Z")
        and first.ts_event == first.open_time_ns + 300 * 10**9
    )
    assert str(first.open) == "1.18930" and str(first.close) == "1.19410"  # on the 0.00001 tick


def test_a_csv_with_an_unnamed_date_index_is_read(shared_data: Path) -> None:
    settings = permissive(pairs=["BTC/USD"])
    instruments = backtest_instruments(settings, settings.pairs, asset_pairs_file=shared_data / ASSET_PAIRS)
    source = open_file(shared_data / BTC_MONTHLY, "BTC/USD", instruments["BTC/USD"])
    bars = list(source)
    assert len(bars) == 156 and bars[0].open_time_ns == to_ns("2012-01-31")
    assert str(bars[-1].close) == "93381.0"  # on BTC/USD's 0.1 tick


def test_a_trade_file_makes_a_tick_feed(shared_data: Path) -> None:
    settings = permissive(pairs=["BTC/USD"])
    instruments = backtest_instruments(settings, settings.pairs, asset_pairs_file=shared_data / ASSET_PAIRS)
    feed = feed_from_specs([str(shared_data / TRADES)], instruments, interval_s=60)
    assert feed.kind is DataKind.TICKS and feed.bar_interval_s == 60 and feed.size == 2001
    (source,) = feed.sources
    assert isinstance(source, TradeFile)
    assert all(isinstance(e, MarketTradeReceived) for e in feed)


def test_a_history_folder_is_loaded_for_each_pair_within_the_window(
    shared_data: Path,
    tmp_path: Path,
    xrp: dict,  # type: ignore[type-arg]
) -> None:
    bars = list(open_file(shared_data / XRP_5M, "XRP/USD", xrp["XRP/USD"]))
    write_candles(HistoryLayout(tmp_path), "XRP/USD", 300, bars_to_table(bars))
    start, end = to_ns("2021-11-16"), to_ns("2021-11-17")
    feed = feed_from_specs([str(tmp_path)], xrp, interval_s=300, start_ns=start, end_ns=end)
    window = list(feed)
    assert feed.kind is DataKind.BARS and len(window) == 288  # one day of 5-minute bars
    assert all(isinstance(b, BarClosed) and start <= b.open_time_ns < end for b in window)


def test_the_window_applies_to_a_bars_open_time(shared_data: Path, xrp: dict) -> None:  # type: ignore[type-arg]
    start = to_ns("2021-11-20T12:00:00Z")
    feed = feed_from_specs([f"XRP/USD={shared_data / XRP_5M}"], xrp, interval_s=60, start_ns=start)
    window = list(feed)
    assert window[0].open_time_ns == start and len(window) == 1999 - 12 * 24 * 5 - 12 * 12  # type: ignore[union-attr]
    assert window[-1].open_time_ns == to_ns("2021-11-21T22:30:00Z")  # type: ignore[union-attr]


def test_data_arguments_that_cannot_work_are_refused_with_the_fix(shared_data: Path) -> None:
    settings = permissive(pairs=["XRP/USD", "DOGE/USD"])
    both = backtest_instruments(settings, settings.pairs)
    xrp_file = str(shared_data / XRP_5M)
    with pytest.raises(BacktestError, match="which pair"):
        feed_from_specs([xrp_file], both, interval_s=60)
    with pytest.raises(BacktestError, match="no market data for DOGE/USD"):
        feed_from_specs([f"XRP/USD={xrp_file}"], both, interval_s=60)
    with pytest.raises(BacktestError, match="not traded here"):
        feed_from_specs([f"ETH/USD={xrp_file}"], both, interval_s=60)
    with pytest.raises(BacktestError, match="mixes candles and trades"):
        feed_from_specs([f"XRP/USD={xrp_file}", f"DOGE/USD={shared_data / TRADES}"], both, interval_s=60)
    with pytest.raises(BacktestError, match="no such file"):
        feed_from_specs(["XRP/USD=/nowhere.csv"], both, interval_s=60)
    with pytest.raises(BacktestError, match="--to must be after --from"):
        feed_from_specs(
            [f"XRP/USD={xrp_file}", f"DOGE/USD={xrp_file}"], both, interval_s=60, start_ns=2, end_ns=1
        )

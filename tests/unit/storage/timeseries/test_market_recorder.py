"""The real recorded book stream, through the live ingestor and the bus, into the DuckDB store."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import BarClosed, OrderBookUpdated
from galfriday.core.instruments import Instrument
from galfriday.kraken.ws_schemas import decode_message
from galfriday.marketdata.book_replay import iter_raw_messages
from galfriday.marketdata.ingestor import DataIngestor
from galfriday.storage.timeseries.duckdb_store import DuckDBStore
from galfriday.storage.timeseries.market_recorder import MarketDataRecorder, bar_point, book_point
from galfriday.storage.timeseries.writer import BufferedTimeSeriesWriter

S = 1_000_000_000


async def test_recorded_books_and_bars_land_in_the_store_exactly_once(
    shared_data: Path, tmp_path: Path
) -> None:
    store = DuckDBStore(tmp_path / "ts.duckdb")
    writer = BufferedTimeSeriesWriter(store, batch_size=100, flush_interval_s=0.05)
    writer.start()
    bus = SyncBus()
    recorder = MarketDataRecorder(writer.submit)
    bus.subscribe(OrderBookUpdated, recorder.on_book)
    bus.subscribe(BarClosed, recorder.on_bar)
    published: list[OrderBookUpdated] = []
    bus.subscribe(OrderBookUpdated, published.append)
    btc = Instrument(symbol="BTC/USD", base="BTC", quote="USD", price_decimals=1, lot_decimals=8)
    ingestor = DataIngestor(bus, SimClock(1_690_730_990 * S), ["BTC/USD"], instruments={"BTC/USD": btc})

    for raw in iter_raw_messages(shared_data / "python-kraken-sdk/orderbook-v2.json"):
        ingestor.on_message(decode_message(raw))
    bar = BarClosed(ts_event=0, ts_init=0, pair="BTC/USD", interval_s=300, open_time_ns=1_690_731_000 * S,
                    open=Decimal("29430.2"), high=Decimal("29440"), low=Decimal("29420.5"),
                    close=Decimal("29431.1"), volume=Decimal("12.5"), vwap=Decimal("29430"), trade_count=42)
    bus.publish(bar)
    await writer.close()  # shutdown flushes everything buffered (and closes the store)
    assert writer.stats().dropped == 0

    store = DuckDBStore(tmp_path / "ts.duckdb")
    rows = await store.query("market_data_l2", tags={"trading_pair": "BTC/USD"})
    assert len(rows) == len(published) == 510
    last, last_row = published[-1], rows[-1]
    assert last_row.fields["bid_price_level_0"] == float(last.bids[0].price)
    assert last_row.fields["ask_volume_level_9"] == float(last.asks[9].qty)
    assert last_row.fields["spread"] == float(last.asks[0].price - last.bids[0].price)
    assert -1 <= last_row.fields["imbalance_5"] <= 1
    (ohlcv,) = await store.query("market_data_ohlcv", tags={"interval": "5m"})
    assert ohlcv.ts_ns == bar.open_time_ns and ohlcv.fields["close"] == 29431.1
    await store.close()


def test_book_sampling_and_points_for_one_sided_books() -> None:
    submitted: list[object] = []
    recorder = MarketDataRecorder(submitted.append, book_every=3)
    one_sided = OrderBookUpdated(ts_event=5, ts_init=5, pair="XRP/USD", bids=(), asks=())
    for _ in range(7):
        recorder.on_book(one_sided)
    assert len(submitted) == 3  # updates 1, 4 and 7
    point = book_point(one_sided)
    assert "spread" not in point.fields and "wap" not in point.fields  # nothing invented
    bar = BarClosed(ts_event=0, ts_init=0, pair="XRP/USD", interval_s=60, open_time_ns=60 * S,
                    open=Decimal(1), high=Decimal(1), low=Decimal(1), close=Decimal(1), volume=Decimal(0),
                    vwap=Decimal(1), trade_count=0)
    assert bar_point(bar).tags["interval"] == "1m"

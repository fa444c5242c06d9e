"""Arrow schemas of stored history (Parquet) and conversions between tables and bars.

Prices, quantities and VWAPs are ``decimal128(38, 18)``: exact like the ``Decimal`` the trading
kernel uses (20 integer digits, 18 decimals: more than any Kraken pair needs), and still read by
pyarrow/DuckDB at columnar speed. Timestamps are ``timestamp[ns, UTC]``; a candle's timestamp is
its open time.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum

import pyarrow as pa

from galfriday.core.events import BarClosed
from galfriday.marketdata.bars import NS_PER_S

DECIMAL = pa.decimal128(38, 18)
TIMESTAMP = pa.timestamp("ns", tz="UTC")

TRADES_SCHEMA = pa.schema(
    [
        pa.field("timestamp", TIMESTAMP, nullable=False),
        pa.field("price", DECIMAL, nullable=False),
        pa.field("qty", DECIMAL, nullable=False),
        pa.field("side", pa.string()),  # BUY | SELL (taker side) when the source says
        pa.field("trade_id", pa.string()),
        pa.field("ord_type", pa.string()),  # limit | market when the source says
    ]
)

CANDLES_SCHEMA = pa.schema(
    [
        pa.field("timestamp", TIMESTAMP, nullable=False),
        pa.field("open", DECIMAL, nullable=False),
        pa.field("high", DECIMAL, nullable=False),
        pa.field("low", DECIMAL, nullable=False),
        pa.field("close", DECIMAL, nullable=False),
        pa.field("volume", DECIMAL, nullable=False),
        pa.field("vwap", DECIMAL),
        pa.field("trade_count", pa.int64()),
    ]
)


class Kind(StrEnum):
    TRADES = "trades"
    CANDLES = "candles"


def timestamps_ns(table: pa.Table) -> pa.Array:
    """The ``timestamp`` column as int64 epoch ns."""
    return table.column("timestamp").combine_chunks().cast(pa.int64())


def bars_to_table(bars: Sequence[BarClosed]) -> pa.Table:
    """Bars -> a CANDLES_SCHEMA table (``is_synthetic`` is not stored: synthetic bars have 0 volume)."""
    columns = {
        "timestamp": pa.array([b.open_time_ns for b in bars], pa.int64()).cast(TIMESTAMP),
        "open": pa.array([b.open for b in bars], DECIMAL),
        "high": pa.array([b.high for b in bars], DECIMAL),
        "low": pa.array([b.low for b in bars], DECIMAL),
        "close": pa.array([b.close for b in bars], DECIMAL),
        "volume": pa.array([b.volume for b in bars], DECIMAL),
        "vwap": pa.array([b.vwap for b in bars], DECIMAL),
        "trade_count": pa.array([b.trade_count for b in bars], pa.int64()),
    }
    return pa.table(columns, schema=CANDLES_SCHEMA)


def table_to_bars(table: pa.Table, pair: str, interval_s: int) -> list[BarClosed]:
    """A CANDLES_SCHEMA table -> bars (missing vwap -> close; missing trade_count -> 0)."""
    cols = {name: table.column(name).to_pylist() for name in ("open", "high", "low", "close", "volume")}
    opens_ns = timestamps_ns(table).to_pylist()
    vwaps = table.column("vwap").to_pylist()
    counts = table.column("trade_count").to_pylist()
    interval_ns = interval_s * NS_PER_S
    bars = []
    for i, open_ns in enumerate(opens_ns):
        close: Decimal = cols["close"][i]
        volume: Decimal = cols["volume"][i]
        bars.append(
            BarClosed(
                ts_event=open_ns + interval_ns,
                ts_init=open_ns + interval_ns,
                pair=pair,
                interval_s=interval_s,
                open_time_ns=open_ns,
                open=cols["open"][i],
                high=cols["high"][i],
                low=cols["low"][i],
                close=close,
                volume=volume,
                vwap=vwaps[i] if vwaps[i] is not None else close,
                trade_count=counts[i] if counts[i] is not None else 0,
                is_synthetic=volume == 0,
            )
        )
    return bars

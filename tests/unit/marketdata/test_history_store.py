"""The Parquet store: merge rules, partitions, listing and the candle loader."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from galfriday.marketdata.bars import build_bars
from galfriday.marketdata.history import HistoryError, HistoryLayout, Kind, list_history, load_candles
from galfriday.marketdata.history.schema import TIMESTAMP, TRADES_SCHEMA, bars_to_table, table_to_bars
from galfriday.marketdata.history.store import merge_trades, read_trades, write_candles, write_trades

S = 1_000_000_000
DAY = 86_400 * S
T0 = 1_704_067_200 * S  # 2024-01-01 00:00:00 UTC


def trades_table(rows: list[tuple[int, str, str, str | None]]) -> pa.Table:
    return pa.table(
        [
            pa.array([r[0] for r in rows], pa.int64()).cast(TIMESTAMP),
            pa.array([Decimal(r[1]) for r in rows], TRADES_SCHEMA.field("price").type),
            pa.array([Decimal(r[2]) for r in rows], TRADES_SCHEMA.field("qty").type),
            pa.nulls(len(rows), pa.string()),
            pa.array([r[3] for r in rows], pa.string()),
            pa.nulls(len(rows), pa.string()),
        ],
        schema=TRADES_SCHEMA,
    )


def minute_candles(start_ns: int, n: int) -> pa.Table:
    ts = [start_ns + i * 60 * S for i in range(n)]
    bars = build_bars("XRP/USD", ts, [Decimal(1 + i) for i in range(n)], [Decimal(2)] * n).bars
    return bars_to_table(bars)


def test_trades_merge_by_id_when_both_sides_have_ids() -> None:
    old = trades_table([(T0, "1", "1", "a"), (T0 + S, "2", "1", "b")])
    new = trades_table([(T0 + S, "2", "1", "b"), (T0 + 2 * S, "3", "1", "c")])
    assert merge_trades(old, new).column("trade_id").to_pylist() == ["a", "b", "c"]


def test_trades_without_ids_replace_their_time_span() -> None:
    """Two real trades may share second, price and volume: identical rows are not duplicates."""
    old = trades_table([(T0, "1", "1", None), (T0 + S, "2", "1", None), (T0 + 5 * S, "9", "1", None)])
    new = trades_table([(T0 + S, "2", "1", None), (T0 + S, "2", "1", None), (T0 + 2 * S, "3", "1", None)])
    merged = merge_trades(old, new)
    assert merged.column("price").to_pylist() == [Decimal(p) for p in ("1", "2", "2", "3", "9")]


def test_trades_are_partitioned_by_utc_day(tmp_path: Path) -> None:
    layout = HistoryLayout(tmp_path)
    days = write_trades(layout, "XRP/USD", trades_table([(T0 - 1, "1", "1", "a"), (T0, "2", "1", "b")]))
    assert days == ["2023-12-31", "2024-01-01"]
    assert sorted(p.name for p in layout.trades_dir("XRP/USD").iterdir()) == [
        "2023-12-31.parquet",
        "2024-01-01.parquet",
    ]
    assert read_trades(layout, "XRP/USD").num_rows == 2


def test_candles_partitioned_by_month_and_reloaded_exactly(tmp_path: Path) -> None:
    layout = HistoryLayout(tmp_path)
    table = minute_candles(T0 - 30 * 60 * S, 90)  # 2023-12-31 23:30 .. 2024-01-01 00:59
    assert write_candles(layout, "XRP/USD", 60, table) == ["2023-12", "2024-01"]
    loaded = load_candles(tmp_path, "XRP/USD")
    assert loaded.equals(table)
    bars = table_to_bars(loaded, "XRP/USD", 60)
    assert [b.close for b in bars] == [Decimal(1 + i) for i in range(90)]
    assert bars[0].vwap == Decimal(1) and not bars[0].is_synthetic


def test_load_candles_time_filter_and_sources(tmp_path: Path) -> None:
    layout = HistoryLayout(tmp_path)
    write_candles(layout, "XRP/USD", 60, minute_candles(T0, 120))
    sliced = load_candles(tmp_path, "XRP/USD", start="2024-01-01T00:30:00Z", end=T0 + 40 * 60 * S)
    assert sliced.num_rows == 10
    assert sliced.column("timestamp").cast(pa.int64())[0].as_py() == T0 + 30 * 60 * S
    folder = layout.candles_dir("XRP/USD", 60)
    assert load_candles(folder, "ignored").num_rows == 120  # a folder of files
    assert load_candles(next(folder.glob("*.parquet")), "ignored").num_rows == 120  # one file
    with pytest.raises(HistoryError, match="no 5m candles for XRP/USD"):
        load_candles(tmp_path, "XRP/USD", interval="5m")


def test_candle_rewrite_replaces_same_timestamps(tmp_path: Path) -> None:
    layout = HistoryLayout(tmp_path)
    write_candles(layout, "XRP/USD", 60, minute_candles(T0, 10))
    write_candles(layout, "XRP/USD", 60, minute_candles(T0 + 5 * 60 * S, 10))
    loaded = load_candles(tmp_path, "XRP/USD")
    assert loaded.num_rows == 15
    assert loaded.column("open").to_pylist()[5] == Decimal(1)  # from the second write
    assert not list(tmp_path.rglob(".*.tmp"))  # atomic writes leave no temporary file


def test_list_history(tmp_path: Path) -> None:
    layout = HistoryLayout(tmp_path)
    write_trades(layout, "XRP/USD", trades_table([(T0 + 7, "1", "1", "a"), (T0 + DAY + 9, "2", "1", "b")]))
    write_candles(layout, "XRP/USD", 60, minute_candles(T0, 3))
    write_candles(layout, "DOGE/USD", 300, bars_to_table([]))  # empty partitions are not listed
    entries = list_history(tmp_path)
    assert [(e.pair, e.kind, e.interval, e.first_ns, e.last_ns, e.rows, e.files) for e in entries] == [
        ("XRP/USD", Kind.CANDLES, "1m", T0, T0 + 2 * 60 * S, 3, 1),
        ("XRP/USD", Kind.TRADES, "", T0 + 7, T0 + DAY + 9, 2, 2),
    ]
    assert list_history(tmp_path / "nothing-here") == []

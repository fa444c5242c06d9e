"""Importers on the real files in shared/data/freqtrade and on deliberately broken ones."""

from __future__ import annotations

import csv
import gzip
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

from galfriday.marketdata.bars import build_bars
from galfriday.marketdata.history import (
    HistoryError,
    ImportFormat,
    ImportValidationError,
    Kind,
    import_file,
    list_history,
    load_candles,
)
from galfriday.marketdata.history.layout import HistoryLayout
from galfriday.marketdata.history.store import read_trades

S = 1_000_000_000


def feather_rows(path: Path) -> list[dict[str, object]]:
    return feather.read_table(path).to_pylist()


def exact(value: float) -> Decimal:
    """A float as the importer stores it: its shortest repr, rounded to 18 decimals (documented).

    Some freqtrade candles carry float noise past 18 places (0.0016200000000000001)."""
    return Decimal(repr(value)).quantize(Decimal("1e-18"))


def assert_candles_equal_feather(table: pa.Table, path: Path) -> None:
    expected = feather_rows(path)
    got = table.to_pylist()
    assert len(got) == len(expected)
    for ours, row in zip(got, expected, strict=True):
        assert ours["timestamp"] == row["date"]
        for name in ("open", "high", "low", "close", "volume"):
            assert ours[name] == exact(row[name]), (row["date"], name)


# ----------------------------------------------------------------------------- real files


@pytest.mark.parametrize(
    ("name", "interval"),
    [
        ("XRP_ETH-1m", "1m"),
        ("XRP_ETH-5m", "5m"),
        ("ETH_BTC-5m", "5m"),
        ("UNITTEST_BTC-1m", "1m"),
        ("UNITTEST_BTC-30m", "30m"),
        ("XRP_USDT_USDT-5m-futures", "5m"),
        ("XRP_USDT_USDT-1h-futures", "1h"),
    ],
)
def test_freqtrade_feather_candles_round_trip(
    shared_data: Path, tmp_path: Path, name: str, interval: str
) -> None:
    path = shared_data / "freqtrade" / "ohlcv" / f"{name}.feather"
    result = import_file(path, pair="X/Y", root=tmp_path)
    assert (result.kind, result.format, result.duplicates_dropped) == (
        Kind.CANDLES,
        ImportFormat.FREQTRADE_FEATHER,
        0,
    )
    assert (
        result.interval_s == {"1m": 60, "5m": 300, "30m": 1800, "1h": 3600}[interval]
    )  # inferred from the data
    assert_candles_equal_feather(load_candles(tmp_path, "X/Y", interval=interval), path)


def test_freqtrade_trades_json_to_bars_equals_their_1m_candles(shared_data: Path, tmp_path: Path) -> None:
    """The whole pipeline: freqtrade's trades file imported, 1 m bars built and stored, loaded back."""
    result = import_file(
        shared_data / "freqtrade" / "trades" / "XRP_ETH-trades.json.gz", pair="XRP/ETH", root=tmp_path
    )
    assert (result.kind, result.rows, result.bars_built) == (Kind.TRADES, 12477, 2469)
    trades = read_trades(HistoryLayout(tmp_path), "XRP/ETH")
    assert trades.column("side").to_pylist()[:2] == ["SELL", "SELL"]
    assert trades.column("trade_id").to_pylist()[0] == "13519807"
    candles = load_candles(tmp_path, "XRP/ETH")
    assert_candles_equal_feather(candles, shared_data / "freqtrade" / "ohlcv" / "XRP_ETH-1m.feather")
    assert sum(candles.column("trade_count").to_pylist()) == 12477
    assert all(v is not None for v in candles.column("vwap").to_pylist())


def test_kraken_time_and_sales_csv(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "freqtrade" / "kraken_trades_csv" / "BCHEUR.csv"
    result = import_file(path, pair="BCH/EUR", root=tmp_path)
    assert (result.kind, result.format, result.rows) == (Kind.TRADES, ImportFormat.KRAKEN_TRADES_CSV, 148)
    assert result.first_ns == 1672531436 * S  # 2023-01-01 00:03:56 UTC
    with path.open() as f:
        rows = list(csv.reader(f))
    stored = read_trades(HistoryLayout(tmp_path), "BCH/EUR")
    assert stored.column("price").to_pylist() == [Decimal(r[1]) for r in rows]  # exact, from the text
    assert stored.column("qty").to_pylist() == [Decimal(r[2]) for r in rows]
    expected = build_bars(
        "BCH/EUR", [int(r[0]) * S for r in rows], [Decimal(r[1]) for r in rows], [Decimal(r[2]) for r in rows]
    )
    candles = load_candles(tmp_path, "BCH/EUR").to_pylist()
    assert [(c["open"], c["close"], c["volume"], c["trade_count"]) for c in candles] == [
        (b.open, b.close, b.volume, b.trade_count) for b in expected.bars
    ]


def test_reimport_and_incremental_kraken_csv_never_duplicate(shared_data: Path, tmp_path: Path) -> None:
    base = shared_data / "freqtrade" / "kraken_trades_csv"
    import_file(base / "BCHEUR.csv", pair="BCH/EUR", root=tmp_path)
    import_file(base / "incremental_q2" / "BCHEUR.csv", pair="BCH/EUR", root=tmp_path)
    import_file(base / "BCHEUR.csv", pair="BCH/EUR", root=tmp_path)  # again: replaces its own span
    assert read_trades(HistoryLayout(tmp_path), "BCH/EUR").num_rows == 148 + 486
    (trades_entry,) = [e for e in list_history(tmp_path) if e.kind is Kind.TRADES]
    assert (trades_entry.rows, trades_entry.files) == (634, 2)


def test_freqtrade_trades_csv_with_header_uses_aliases(shared_data: Path, tmp_path: Path) -> None:
    result = import_file(
        shared_data / "freqtrade" / "trades" / "public_trades_list.csv", pair="ETH/USDT", root=tmp_path
    )
    assert (result.kind, result.format, result.rows) == (Kind.TRADES, ImportFormat.CSV, 1000)
    stored = read_trades(HistoryLayout(tmp_path), "ETH/USDT")
    first = stored.slice(0, 1).to_pylist()[0]
    assert (first["price"], first["qty"], first["side"], first["trade_id"]) == (
        Decimal("1666.8"), Decimal("26.062"), "BUY", "1206419187",
    )  # fmt: skip
    assert stored.column("timestamp").cast(pa.int64())[0].as_py() == 1675329600138 * 1_000_000


def test_kraken_ohlcvt_csv(shared_data: Path, tmp_path: Path) -> None:
    """Kraken's OHLCVT download layout (no header: time,open,high,low,close,volume,trades)."""
    source = shared_data / "freqtrade" / "ohlcv" / "XRP_ETH-1m.feather"
    path = tmp_path / "XRPETH_1.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        for row in feather_rows(source):
            w.writerow(
                [
                    int(row["date"].timestamp()),
                    *(repr(row[k]) for k in ("open", "high", "low", "close", "volume")),
                    3,
                ]
            )
    result = import_file(path, pair="XRP/ETH", root=tmp_path / "h")
    assert (result.format, result.interval_s, result.rows) == (ImportFormat.KRAKEN_OHLCVT_CSV, 60, 2469)
    loaded = load_candles(tmp_path / "h", "XRP/ETH")
    assert_candles_equal_feather(loaded, source)
    assert set(loaded.column("trade_count").to_pylist()) == {3}


# ------------------------------------------------------------------------ column contract


def test_parquet_with_iso_timestamps_and_csv_with_ms_epochs(tmp_path: Path) -> None:
    table = pa.table(
        {
            "timestamp": ["2024-01-01T00:00:00Z", "2024-01-01T00:01:00+00:00", "2024-01-01T00:02:00"],
            "open": ["1.5", "1.6", "1.7"], "high": ["1.6", "1.7", "1.8"], "low": ["1.4", "1.5", "1.6"],
            "close": ["1.6", "1.7", "1.8"], "volume": ["10", "0", "5"], "trade_count": [2, 0, 1],
        }
    )  # fmt: skip
    pq.write_table(table, tmp_path / "c.parquet")
    result = import_file(tmp_path / "c.parquet", pair="XRP/USD", root=tmp_path / "h")
    assert (result.kind, result.interval_s, result.first_ns) == (Kind.CANDLES, 60, 1704067200 * S)
    (tmp_path / "t.csv").write_text(
        "timestamp,price,qty,side,trade_id\n1704067200123,0.5,100,buy,1\n1704067200456,0.51,5,s,2\n"
    )
    result = import_file(tmp_path / "t.csv", pair="XRP/USD", root=tmp_path / "h")
    assert (result.kind, result.first_ns, result.last_ns) == (
        Kind.TRADES,
        1704067200123 * 1_000_000,
        1704067200456 * 1_000_000,
    )
    assert read_trades(HistoryLayout(tmp_path / "h"), "XRP/USD").column("side").to_pylist() == ["BUY", "SELL"]


def test_duplicates_are_dropped_and_counted(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("timestamp,price,qty,trade_id\n1,1,1,a\n2,1,1,b\n2,1,1,b\n3,1,1,c\n")
    assert import_file(tmp_path / "t.csv", pair="A/B", root=tmp_path / "h").duplicates_dropped == 1
    (tmp_path / "c.csv").write_text(
        "date,open,high,low,close,volume\n0,1,1,1,1,1\n60,1,1,1,1,1\n60,2,2,2,2,2\n120,1,1,1,1,1\n"
    )
    result = import_file(tmp_path / "c.csv", pair="A/B", root=tmp_path / "h")
    assert (result.rows, result.duplicates_dropped) == (3, 1)


# ------------------------------------------------------------------------------ bad files


def test_bad_csv_names_rows_and_columns_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "timestamp,price,qty\n"
        "1704067200,0.5,10\n"  # row 1, line 2
        "1704067260,NaN,10\n"  # row 2: NaN price
        "1704067320,-0.5,10\n"  # row 3: negative price
        "1704067300,0.5,abc\n"  # row 4: unsorted, qty not a number
        "1704067400,0.5,0\n"  # row 5: zero qty
    )
    with pytest.raises(ImportValidationError) as err:
        import_file(bad, pair="XRP/USD", root=tmp_path / "h")
    message = str(err.value)
    assert "row 2 (line 3), column 'price': NaN" in message
    assert "row 3 (line 4), column 'price': not positive" in message
    assert "row 4 (line 5), column 'timestamp': earlier than the previous row (unsorted)" in message
    assert "row 4 (line 5), column 'qty': not a number ('abc')" in message
    assert "row 5 (line 6), column 'qty': not positive" in message
    assert "nothing was imported" in message
    assert not (tmp_path / "h").exists()


def test_headerless_kraken_csv_reports_file_lines(tmp_path: Path) -> None:
    bad = tmp_path / "XRPUSD.csv"
    bad.write_text("1704067200,0.5,10\n1704067260,0.5,10\n1704067320,,10\n")
    with pytest.raises(ImportValidationError, match=r"row 3 \(line 3\), column 'price': missing value"):
        import_file(bad, pair="XRP/USD", root=tmp_path / "h")


def test_bad_float_values_in_feather(tmp_path: Path) -> None:
    table = pa.table(
        {"date": pa.array([0, 60_000], pa.timestamp("ms", tz="UTC")), "open": [1.0, float("nan")],
         "high": [1.0, 2.0], "low": [1.0, 1.0], "close": [1.0, 0.5], "volume": [1.0, -1.0]}
    )  # fmt: skip
    feather.write_feather(table, tmp_path / "c.feather")
    with pytest.raises(ImportValidationError) as err:
        import_file(tmp_path / "c.feather", pair="A/B", root=tmp_path / "h")
    assert "row 2, column 'open': NaN" in str(err.value)
    assert "row 2, column 'volume': negative" in str(err.value)


def test_inconsistent_candle_and_off_grid_timestamp(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(
        "timestamp,open,high,low,close,volume\n0,1,2,1,1,1\n60,1,0.9,1,1,1\n150,1,1,1,1,1\n"
    )
    with pytest.raises(ImportValidationError) as err:
        import_file(tmp_path / "c.csv", pair="A/B", root=tmp_path / "h", interval="1m")
    assert "row 2 (line 3), column 'high': high is below low" in str(err.value)
    assert "row 3 (line 4), column 'timestamp': not on the 60 s grid" in str(err.value)


def test_unusable_inputs_say_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(HistoryError, match="pass --format"):
        import_file(tmp_path / "x.txt", pair="A/B", root=tmp_path)
    (tmp_path / "five.csv").write_text("1,2,3,4,5\n")
    with pytest.raises(HistoryError, match="neither Kraken trades"):
        import_file(tmp_path / "five.csv", pair="A/B", root=tmp_path)
    (tmp_path / "t.csv").write_text("1704067200,0.5,10\n")
    with pytest.raises(HistoryError, match="holds trades, not candles"):
        import_file(tmp_path / "t.csv", pair="A/B", root=tmp_path, kind=Kind.CANDLES)
    (tmp_path / "c.csv").write_text("timestamp,price\n1,1\n")
    with pytest.raises(HistoryError, match=r"missing column\(s\) \['qty'\]"):
        import_file(tmp_path / "c.csv", pair="A/B", root=tmp_path)
    with pytest.raises(HistoryError, match="not a name like"):
        import_file(tmp_path / "c.csv", pair="../etc", root=tmp_path)
    gz = tmp_path / "j.json.gz"
    with gzip.open(gz, "wt") as f:
        json.dump([[1, 2]], f)
    with pytest.raises(HistoryError, match="freqtrade candles have 6, trades 7"):
        import_file(gz, pair="A/B", root=tmp_path)


def test_optional_candle_columns(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(
        "timestamp,open,high,low,close,volume,vwap,trade_count\n0,1,1,1,1,1,1,3.0\n60,1,1,1,1,0,,\n"
    )
    import_file(tmp_path / "c.csv", pair="A/B", root=tmp_path / "h")
    loaded = load_candles(tmp_path / "h", "A/B")
    assert loaded.column("vwap").to_pylist() == [Decimal(1), None]
    assert loaded.column("trade_count").to_pylist() == [3, None]
    (tmp_path / "bad.csv").write_text(
        "timestamp,open,high,low,close,volume,vwap,trade_count\n0,1,1,1,1,1,0,2.5\n"
    )
    with pytest.raises(ImportValidationError) as err:
        import_file(tmp_path / "bad.csv", pair="A/B", root=tmp_path / "h")
    assert "row 1 (line 2), column 'trade_count': '2.5' is not a whole number" in str(err.value)
    assert "row 1 (line 2), column 'vwap': not positive" in str(err.value)

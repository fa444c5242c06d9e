"""``galfriday features compute | sets`` through typer's CliRunner, mounted on a fresh app."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from galfriday.features import FeatureRegistry, compute_features
from galfriday.features.cli import register

from ._refs import assert_same, talib_reference

runner = CliRunner()
BAR_COLUMNS = [
    "rsi_14",
    "roc_5",
    "ema_12",
    "sma_20",
    "macd_12_26_9",
    "macd_signal_12_26_9",
    "macd_hist_12_26_9",
    "bb_upper_20_2",
    "bb_middle_20_2",
    "bb_lower_20_2",
    "atr_14",
    "logret_std_20",
    "vwap_20",
    "vwap_session",
]


@pytest.fixture
def app() -> typer.Typer:
    root = typer.Typer(add_completion=False)
    features = typer.Typer(no_args_is_help=True, add_completion=False)
    register(features)
    root.add_typer(features, name="features")
    return root


def test_compute_on_a_real_feather_file_to_parquet(
    app: typer.Typer, shared_data: Path, tmp_path: Path
) -> None:
    source = shared_data / "freqtrade" / "ohlcv" / "XRP_USDT_USDT-5m-futures.feather"
    out = tmp_path / "features.parquet"
    result = runner.invoke(
        app, ["features", "compute", "--input", str(source), "--set", "bars_v1", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"bars_v1: 1999 rows, 14 features -> {out}" in result.output
    table = pq.read_table(out)
    assert table.column_names == ["date", "open", "high", "low", "close", "volume", *BAR_COLUMNS]
    expected = compute_features(
        table.select(["date", "open", "high", "low", "close", "volume"]),
        FeatureRegistry.load().feature_set("bars_v1"),
    )
    for name in BAR_COLUMNS:
        written = table.column(name).to_numpy(zero_copy_only=False)
        assert_same(np.asarray(written, dtype=float), expected.columns[name])
    assert table.column("macd_12_26_9").null_count == 33  # warm-up values are empty


def test_compute_default_set_on_kraken_csv_skips_book_and_trade_features(
    app: typer.Typer, shared_data: Path, tmp_path: Path
) -> None:
    """The TA-Lib reference file already has columns named rsi_14, atr_14, ...: they are replaced."""
    source = shared_data / "talib-reference" / "kraken_XBTUSDT_1m_talib.csv"
    out = tmp_path / "features.csv"
    result = runner.invoke(app, ["features", "compute", "-i", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "note: skipped 10 feature(s) that need order-book or trade data" in result.output
    assert "spread_pct" in result.output and "use --set bars_v1" in result.output
    assert "replaced input column(s) rsi_14, ema_12, sma_20, macd_12_26_9, bb_upper_20_2" in result.output
    table = pa_csv.read_csv(out)
    assert table.column_names[-14:] == BAR_COLUMNS
    assert len(set(table.column_names)) == len(table.column_names)
    reference = talib_reference(shared_data, "kraken_XBTUSDT_1m_talib.csv")
    rsi = table.column("rsi_14").to_numpy(zero_copy_only=False).astype(float)
    np.testing.assert_allclose(rsi, reference["rsi_14"], rtol=1e-9)  # the CSV round-trips floats


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--input", "missing.csv", "--output", "o.csv"], "cannot read"),
        (["--input", "x.json", "--output", "o.csv"], "use a file ending in .csv"),
        (["--input", "{src}", "--output", "o.txt"], "cannot write o.txt"),
        (["--input", "{src}", "--output", "o.csv", "--set", "nope"], "unknown feature set 'nope'"),
        (["--input", "{bad}", "--output", "o.csv"], "candles lack column\\(s\\) volume"),
    ],
)
def test_compute_errors(
    app: typer.Typer, shared_data: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,open,high,low,close\n1,1,1,1,1\n")
    src = shared_data / "talib-reference" / "XRP_USDT_5m_talib.csv"
    args = [a.format(src=src, bad=bad) for a in args]
    args = [str(tmp_path / a) if a.startswith(("missing", "o.", "x.")) else a for a in args]
    result = runner.invoke(app, ["features", "compute", *args])
    assert result.exit_code == 1
    assert "error: " in result.output
    assert re.search(message, result.output)


def test_sets_lists_ids_and_fingerprints(app: typer.Typer) -> None:
    result = runner.invoke(app, ["features", "sets"])
    assert result.exit_code == 0, result.output
    fingerprint = FeatureRegistry.load().feature_set("default_v1").fingerprint[:16]
    assert f"default_v1  fingerprint {fingerprint}  reads bar, book, trade" in result.output
    assert "bars_v1" in result.output and "macd_signal_12_26_9" in result.output

"""``data import`` and ``data list`` through typer's CliRunner, mounted on a fresh app."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from galfriday.marketdata.cli_history import register


@pytest.fixture
def app() -> typer.Typer:
    data = typer.Typer(no_args_is_help=True, add_completion=False)
    register(data)
    return data


runner = CliRunner()


def test_import_then_list(app: typer.Typer, shared_data: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "history")
    feather = shared_data / "freqtrade" / "ohlcv" / "XRP_ETH-5m.feather"
    result = runner.invoke(app, ["import", str(feather), "--pair", "XRP/ETH", "--out", out])
    assert result.exit_code == 0, result.output
    assert (
        "XRP/ETH candles (freqtrade-feather): 706 rows 2019-10-11T00:00:00Z .. 2019-10-13T11:15:00Z"
        in result.output
    )
    csv_file = shared_data / "freqtrade" / "kraken_trades_csv" / "BCHEUR.csv"
    result = runner.invoke(
        app, ["import", str(csv_file), "--pair", "BCH/EUR", "--kind", "trades", "--out", out]
    )
    assert result.exit_code == 0, result.output
    assert "148 rows" in result.output and "bars built" in result.output

    result = runner.invoke(app, ["list", "--dir", out])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["pair", "kind", "interval", "first", "last", "rows", "files"]
    assert lines[1].split()[:3] == ["BCH/EUR", "candles", "1m"]
    assert lines[2].split() == [
        "BCH/EUR",
        "trades",
        "-",
        "2023-01-01T00:03:56Z",
        "2023-01-01T23:19:47Z",
        "148",
        "1",
    ]
    assert lines[3].split() == [
        "XRP/ETH",
        "candles",
        "5m",
        "2019-10-11T00:00:00Z",
        "2019-10-13T11:15:00Z",
        "706",
        "1",
    ]


def test_import_error_names_row_and_column_and_exits_1(app: typer.Typer, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,open,high,low,close,volume\n0,1,1,1,1,1\n60,1,1,1,nan,1\n")
    result = runner.invoke(app, ["import", str(bad), "--pair", "XRP/USD", "--out", str(tmp_path / "h")])
    assert result.exit_code == 1
    assert "row 2 (line 3), column 'close': NaN" in result.output


def test_import_help_documents_the_column_contract(app: typer.Typer) -> None:
    result = runner.invoke(app, ["import", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "candles: timestamp, open, high, low, close, volume [+ vwap, trade_count]" in text
    assert "trades: timestamp, price, qty [+ side, trade_id, ord_type]" in text
    assert "kraken-ohlcvt-csv" in text


def test_list_on_an_empty_folder(app: typer.Typer, tmp_path: Path) -> None:
    result = runner.invoke(app, ["list", "--dir", str(tmp_path)])
    assert result.exit_code == 0 and "no history under" in result.output


def test_download_rejects_a_bad_date_before_any_request(app: typer.Typer, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["download", "--pair", "XRP/USD", "--since", "yesterday", "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "'yesterday' is not an ISO-8601 date" in result.output

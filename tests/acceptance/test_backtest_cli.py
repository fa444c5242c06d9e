"""``galfriday backtest`` end to end through typer's CliRunner, on real candles from ../shared/data."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from galfriday.backtest.cli import register

XRP_5M = "freqtrade/ohlcv/XRP_USDT_USDT-5m-futures.feather"


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """The main CLI mounts ``register`` the same way."""

    register(app)
    return app


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"""
pairs: [XRP/USD]
logging: {{json_file: null, console: false}}
database: {{url: "sqlite+aiosqlite:///{tmp_path / "galfriday.db"}"}}
portfolio: {{snapshot_interval_s: 3600}}
strategy: {{entry_order_type: MARKET, max_holding_s: 7200}}
risk: {{loss_streak_halt: 50, loss_streak_warn: 49, volatility_halt: {{enabled: false}}}}
backtest: {{fill_model: bar, latency_ms: 0}}
""",
        encoding="utf-8",
    )
    return path


def test_a_backtest_on_real_candles_prints_writes_reports_and_records_the_run(
    app: typer.Typer, config: Path, tmp_path: Path, shared_data: Path
) -> None:
    reports = tmp_path / "reports"
    args = [
        "backtest",
        "--config",
        str(config),
        "--data",
        str(shared_data / XRP_5M),
        "--fast",
        "10",
        "--slow",
        "30",
    ]
    result = CliRunner().invoke(
        app, [*args, "--from", "2021-11-16", "--to", "2021-11-19", "--report-dir", str(reports)]
    )
    assert result.exit_code == 0, result.output
    assert "Backtest: sma on XRP/USD (net of fees)" in result.output and "Sharpe / Sortino" in result.output
    assert "replaying" in result.output and "writing to the database" in result.output  # progress bars

    (folder,) = reports.iterdir()
    assert folder.name == "sma-XRPUSD-20211116-20211119-seed0"
    files = {p.name for p in folder.iterdir()}
    assert files == {
        "result.json",
        "trades.csv",
        "orders.csv",
        "fills.csv",
        "equity.csv",
        "report.html",
        "run.json",
    }
    summary = json.loads((folder / "result.json").read_text())
    assert summary["meta"]["first_event"] == "2021-11-16T00:05:00Z"  # the window: bars opened from the 16th
    assert summary["meta"]["last_event"] == "2021-11-19T00:00:00Z"  # ... to the last one opened on the 18th
    assert summary["metrics"]["trades"] > 5
    assert "plotly.js v" in (folder / "report.html").read_text(encoding="utf-8")

    run = json.loads((folder / "run.json").read_text())
    tag = run["database"]["exchange_tag"]
    with sqlite3.connect(tmp_path / "galfriday.db") as db:
        (trades,) = db.execute("SELECT count(*) FROM trades WHERE exchange = ?", (tag,)).fetchone()
        (logged,) = db.execute(
            "SELECT context FROM system_logs WHERE source_module = 'galfriday.backtest'"
        ).fetchone()
        (configs,) = db.execute("SELECT count(*) FROM configurations").fetchone()
    assert trades == summary["metrics"]["trades"]
    # the backtest's settings do not become the active configuration of a shared database
    assert json.loads(logged)["run_id"] == run["run_id"] and configs == 0


def test_bad_input_exits_2_and_says_what_to_do(app: typer.Typer, config: Path, shared_data: Path) -> None:
    runner = CliRunner()
    data = str(shared_data / XRP_5M)
    wrong_model = runner.invoke(
        app,
        ["backtest", "-c", str(config), "-d", data, "--no-db"],
        env={"GALFRIDAY__BACKTEST__FILL_MODEL": "book"},
    )
    assert wrong_model.exit_code == 2 and "set backtest.fill_model to bar" in _flat(wrong_model.output)
    two_pairs = runner.invoke(
        app, ["backtest", "-c", str(config), "-d", data, "--pair", "XRP/USD", "--pair", "DOGE/USD"]
    )
    assert two_pairs.exit_code == 2 and "which pair is it? Write --data PAIR=" in _flat(two_pairs.output)


def _flat(text: str) -> str:
    """The console wraps long lines; the message is what matters."""
    return " ".join(text.split())


def test_the_model_strategy_reads_the_registry_and_says_when_it_is_empty(
    app: typer.Typer, config: Path, shared_data: Path
) -> None:
    args = ["backtest", "-c", str(config), "-d", str(shared_data / XRP_5M), "--strategy", "model"]
    no_db = CliRunner().invoke(app, [*args, "--no-db"])
    assert no_db.exit_code == 2 and "reads the model registry from the database" in _flat(no_db.output)
    empty = CliRunner().invoke(app, args)
    assert empty.exit_code == 2 and "no production model for XRP/USD" in _flat(empty.output)


def test_limit_entries_that_cannot_fill_on_bars_are_warned_about(
    app: typer.Typer, config: Path, shared_data: Path, tmp_path: Path
) -> None:
    args = ["backtest", "-c", str(config), "-d", str(shared_data / XRP_5M), "--no-db"]
    env = {"GALFRIDAY__STRATEGY__ENTRY_ORDER_TYPE": "LIMIT"}  # 15 s timeout, then cancel: 5-minute bars
    result = CliRunner().invoke(app, [*args, "--report-dir", str(tmp_path / "r")], env=env)
    assert result.exit_code == 0, result.output
    assert "limit entries time out after 15s, before the next 300s bar can fill them" in _flat(result.output)
    (folder,) = (tmp_path / "r").iterdir()
    assert json.loads((folder / "result.json").read_text())["metrics"]["trades"] == 0
    assert json.loads((folder / "run.json").read_text())["database"] is None  # --no-db

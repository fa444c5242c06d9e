"""``galfriday optimize`` and ``galfriday walk-forward`` through typer's CliRunner on real candles."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from galfriday.backtest.cli_research import register
from tests.acceptance._backtest_kit import XRP_5M


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
        """
pairs: [XRP/USD]
logging: {json_file: null, console: false}
strategy: {entry_order_type: MARKET, max_holding_s: 7200}
risk: {loss_streak_halt: 50, loss_streak_warn: 49, volatility_halt: {enabled: false}}
backtest: {latency_ms: 0}
""",
        encoding="utf-8",
    )
    return path


def invoke(app: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "160"})
    return result.exit_code, result.output


def test_optimize_prints_the_best_trials_and_writes_them(
    app: typer.Typer, config: Path, tmp_path: Path, shared_data: Path
) -> None:
    reports = tmp_path / "reports"
    code, out = invoke(
        app, "optimize", "-c", str(config), "-d", str(shared_data / XRP_5M), "--strategy", "sma",
        "--param", "fast=3:20", "--param", "slow=15:60", "--trials", "6", "--objective", "total_return",
        "--runner", "inline", "--seed", "1", "--report-dir", str(reports),
    )  # fmt: skip
    assert code == 0, out
    assert "Best 6 of 6 trials by total_return" in out and "best: fast=" in out
    folder = reports / "optimize-sma-XRPUSD-20211115-20211121-seed1"
    document = json.loads((folder / "optimize.json").read_text())
    rows = list(csv.DictReader((folder / "trials.csv").open()))
    assert len(rows) == document["trials"] == 6
    best = max(rows, key=lambda r: float(r["value"]))
    assert document["best"]["value"] == float(best["value"])
    assert document["best"]["params"] == {"fast": int(best["fast"]), "slow": int(best["slow"])}
    assert (folder / "report.html").read_text().count("chart-") >= 2


def test_walk_forward_prints_each_window_and_writes_the_stitched_run(
    app: typer.Typer, config: Path, tmp_path: Path, shared_data: Path
) -> None:
    reports = tmp_path / "reports"
    code, out = invoke(
        app, "walk-forward", "-c", str(config), "-d", str(shared_data / XRP_5M), "--strategy", "rsi",
        "--train", "2d", "--test", "1d", "--runner", "inline", "--report-dir", str(reports),
    )  # fmt: skip
    assert code == 0, out
    assert "Walk-forward: rsi" in out and "4 windows in" in out
    folder = reports / "walk-forward-rsi-XRPUSD-20211117-20211121-seed0"
    windows = list(csv.DictReader((folder / "windows.csv").open()))
    assert [w["test_start"] for w in windows] == [f"2021-11-{d}T00:00:00Z" for d in (17, 18, 19, 20)]
    document = json.loads((folder / "walk_forward.json").read_text())
    assert document["combined"]["metrics"]["trades"] == sum(int(w["trades"]) for w in windows)
    equity = list(csv.DictReader((folder / "equity.csv").open()))
    assert equity[0]["time"] == "2021-11-17T00:00:00Z" and equity[-1]["time"] == "2021-11-21T00:00:00Z"


def test_a_plan_that_does_not_fit_the_data_exits_2_with_the_fix(
    app: typer.Typer, config: Path, shared_data: Path
) -> None:
    code, out = invoke(
        app, "walk-forward", "-c", str(config), "-d", str(shared_data / XRP_5M), "--strategy", "sma",
        "--train", "6d", "--test", "2d", "--runner", "inline",
    )  # fmt: skip
    assert code == 2
    assert "less than one window needs" in out and "shorten --train/--test" in out

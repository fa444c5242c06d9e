"""The README's main job, run for real: ``galfriday demo`` on embedded defaults in a temporary folder.

Nothing from outside (no server, key or shared file): a synthetic market, two models trained,
gated, registered and promoted, a backtest with its report and database rows, and a paper session
against the exchange simulator over real sockets — then everything it says it left is checked.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from galfriday.cli import _register_subcommands, app
from galfriday.monitoring import shutdown_logging

SECRET = "kraken-secret-Zq81vP0xT7"


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    shutdown_logging()
    logging.getLogger().handlers.clear()


def _demo(*args: str) -> tuple[int, str]:
    _register_subcommands()
    result = CliRunner().invoke(app, ["demo", *args])
    return result.exit_code, result.output


def test_the_demo_runs_the_whole_system_end_to_end(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GALFRIDAY__EXCHANGE__API_SECRET", SECRET)
    code, output = _demo("--paper-for", "15")
    assert code == 0, output
    for step in ("1/5 start-up", "2/5 synthetic market", "3/5 models", "4/5 backtest", "5/5 paper session"):
        assert step in output
    assert "demo finished" in output and SECRET not in output

    root = in_tmp / "var" / "demo"
    config = yaml.safe_load((root / "galfriday.yaml").read_text())
    api_key = config["dashboard"]["api_key"]
    assert config["database"]["url"].startswith("sqlite") and config["execution"]["mode"] == "paper"

    # models: trained, gated, registered and promoted, each with its report
    with sqlite3.connect(root / "galfriday.db") as db:
        models = db.execute("SELECT model_id, pair, stage FROM model_versions").fetchall()
        exchanges = dict(db.execute("SELECT exchange, COUNT(*) FROM orders GROUP BY exchange").fetchall())
        backtest_trades = db.execute(
            "SELECT COUNT(*) FROM trades WHERE exchange LIKE 'backtest-%'"
        ).fetchone()
        logs = [m for (m,) in db.execute("SELECT message FROM system_logs").fetchall()]
        configs = db.execute("SELECT config_content FROM configurations").fetchall()
    stages = {(pair, stage) for _, pair, stage in models}
    assert stages == {("XRP/USD", "production"), ("DOGE/USD", "production")}
    assert len(list((root / "reports" / "models").glob("*.html"))) == 2

    # the backtest: its report, its files and its rows in the database, on held-out candles only
    [folder] = [p for p in (root / "reports").iterdir() if p.name.startswith("model-")]
    result = json.loads((folder / "result.json").read_text())
    assert result["metrics"]["trades"] > 10 and backtest_trades[0] == result["metrics"]["trades"]
    assert (folder / "report.html").stat().st_size > 50_000
    train_end = max(pq_max(p) for p in (root / "data").glob("*-train.parquet"))
    assert result["meta"]["first_event_ns"] > train_end
    assert any(name.startswith("backtest-") for name in exchanges)

    # the paper session: predictions from the production models, recorded; a clean stop
    with duckdb.connect(str(root / "timeseries.duckdb"), read_only=True) as ts:
        served = {m for (m,) in ts.sql("SELECT DISTINCT model_id FROM predictions").fetchall()}
    assert served == {model_id for model_id, _, _ in models}
    assert any("STOPPING -> STOPPED" in m for m in logs)

    # no secret anywhere it wrote
    written = (root / "logs" / "galfriday.jsonl").read_text() + "".join(c for (c,) in configs)
    assert SECRET not in written and api_key not in written


def pq_max(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.read_table(path).column("timestamp").to_numpy().max())


def test_an_invalid_configuration_exits_2_and_names_the_key(in_tmp: Path) -> None:
    bad = in_tmp / "bad.yaml"
    bad.write_text("risk:\n  max_daily_drawdown_pct: 2\n")
    code, output = _demo("--config", str(bad))
    assert code == 2 and "risk.max_daily_drawdown_pct" in output


def test_a_database_that_cannot_be_opened_is_a_clear_error(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (in_tmp / "blocker").write_text("a file where the database folder should be")
    monkeypatch.setenv("GALFRIDAY__DATABASE__URL", f"sqlite+aiosqlite:///{in_tmp}/blocker/db.sqlite")
    code, output = _demo()
    assert code == 2 and "error:" in output


def test_the_demo_never_empties_a_folder_that_is_not_its_own(in_tmp: Path) -> None:
    (in_tmp / "mine").mkdir()
    (in_tmp / "mine" / "notes.txt").write_text("precious")
    code, output = _demo("--dir", "mine")
    assert code == 2 and "not a demo folder" in output
    (in_tmp / "mine" / "galfriday.yaml").write_text("pairs: [XRP/USD]\n")  # the user's own config
    code, output = _demo("--dir", "mine")
    assert code == 2 and "not a demo folder" in output
    assert (in_tmp / "mine" / "notes.txt").read_text() == "precious"

"""The README's main job and the shared start-up path, run for real in a temporary folder."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from galfriday.app.demo import simulate_session
from galfriday.cli import _register_subcommands, app
from galfriday.monitoring import shutdown_logging

SECRET = "kraken-secret-Zq81vP0xT7"


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    shutdown_logging()
    logging.getLogger().handlers.clear()


def test_simulated_session_is_deterministic_and_complete() -> None:
    first, bus = simulate_session(30, start_ns=0)
    second, _ = simulate_session(30, start_ns=0)
    assert first.counts == second.counts == {"SystemStateChanged": 4, "TimeEvent": 30}
    assert [e.current for e in first.state_changes] == ["STARTING", "RUNNING", "STOPPING", "STOPPED"]
    assert all(s["errors"] == 0 for s in bus.stats())


def test_demo_records_config_persists_state_changes_and_never_logs_secrets(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GALFRIDAY__EXCHANGE__API_SECRET", SECRET)
    _register_subcommands()
    result = CliRunner().invoke(app, ["demo", "--minutes", "15"])
    assert result.exit_code == 0, result.output
    assert "Gal-Friday demo" in result.output
    assert SECRET not in result.output

    with sqlite3.connect(in_tmp / "var" / "galfriday.db") as db:
        (config_hash, content, active), = db.execute(
            "SELECT config_hash, config_content, is_active FROM configurations"
        ).fetchall()
        logs = db.execute("SELECT message FROM system_logs ORDER BY log_pk").fetchall()
    assert len(config_hash) == 64 and active == 1
    assert SECRET not in content and json.loads(content)["exchange"]["api_secret"] == "**********"
    assert [m for (m,) in logs][-1] == "system STOPPING -> STOPPED: clean shutdown"
    assert len(logs) == 4

    log_lines = (in_tmp / "var" / "logs" / "galfriday.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in log_lines]
    assert any("recorded as #1" in r["message"] for r in records)
    assert all(r["ts"].endswith("Z") for r in records)
    assert not any(SECRET in line for line in log_lines)


def test_demo_with_an_invalid_config_exits_2_and_says_why(in_tmp: Path) -> None:
    bad = in_tmp / "bad.yaml"
    bad.write_text("risk:\n  max_daily_drawdown_pct: 2\n")
    _register_subcommands()
    result = CliRunner().invoke(app, ["demo", "--config", str(bad)])
    assert result.exit_code == 2
    assert "risk.max_daily_drawdown_pct" in result.output


def test_demo_refuses_a_database_it_cannot_open(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (in_tmp / "blocker").write_text("a file where the database folder should be")
    monkeypatch.setenv("GALFRIDAY__DATABASE__URL", f"sqlite+aiosqlite:///{in_tmp}/blocker/db.sqlite")
    _register_subcommands()
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 2
    assert "error:" in result.output

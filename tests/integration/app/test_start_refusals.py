"""``galfriday run`` refuses to start, with an exit code and a message saying what to do, when the
configuration is invalid (2), the database is unreachable (1) or live trading is not possible (1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
import yaml
from typer.testing import CliRunner

from galfriday.app.run_cli import register
from tests.integration.app.paper_kit import free_port, write_config


def _cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """galfriday (test instance)"""

    register(app)
    return app


def _run(*args: str) -> Any:
    return CliRunner().invoke(_cli(), ["run", *args])


def test_an_invalid_configuration_exits_2_naming_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"risk": {"risk_per_trade_pct": "0.5"}, "pairs": ["xrp-usd"]}))
    result = _run("--mode", "paper", "--config", str(path))
    assert result.exit_code == 2
    assert "risk.risk_per_trade_pct" in result.output and "pairs" in result.output


def test_an_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/galfriday"
    path = write_config(
        tmp_path, {"database": {"url": url}, "logging": {"json_file": None, "console": False}}
    )
    result = _run("--mode", "paper", "--config", str(path))
    assert result.exit_code == 1
    assert "cannot connect to database" in result.output and "database.url" in result.output


def test_live_mode_needs_a_live_configuration(tmp_path: Path, sqlite_url: str) -> None:
    path = write_config(
        tmp_path, {"database": {"url": sqlite_url}, "logging": {"json_file": None, "console": False}}
    )
    result = _run("--mode", "live", "--config", str(path))
    assert result.exit_code == 1
    assert "execution.mode" in result.output and "live" in result.output

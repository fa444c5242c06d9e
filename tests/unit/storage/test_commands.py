"""``galfriday db upgrade | downgrade | current`` on SQLite, through Typer's test runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from galfriday.storage.commands import app
from galfriday.storage.db.migrate import head_revision
from tests.unit.storage.factories import CLOSED_PORT_URL


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_upgrade_current_downgrade(runner: CliRunner, sqlite_url: str) -> None:
    head = head_revision()

    result = runner.invoke(app, ["current", "--url", sqlite_url])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("none (no schema yet")

    result = runner.invoke(app, ["upgrade", "--url", sqlite_url])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{sqlite_url} is at revision {head}"

    result = runner.invoke(app, ["current", "--url", sqlite_url])
    assert (result.exit_code, result.stdout.strip()) == (0, f"{head} (head)")

    result = runner.invoke(app, ["downgrade", "--revision", "base", "--url", sqlite_url, "--yes"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{sqlite_url} is at revision base (no tables)"

    result = runner.invoke(app, ["current", "--url", sqlite_url])
    assert result.stdout.startswith("none")


def test_downgrade_asks_first(runner: CliRunner, sqlite_url: str) -> None:
    runner.invoke(app, ["upgrade", "--url", sqlite_url])
    result = runner.invoke(app, ["downgrade", "--revision", "base", "--url", sqlite_url], input="n\n")
    assert result.exit_code == 1
    assert "Dropped tables lose their data" in result.output
    assert runner.invoke(app, ["current", "--url", sqlite_url]).stdout.strip() == f"{head_revision()} (head)"

    result = runner.invoke(app, ["downgrade", "--revision", "base", "--url", sqlite_url], input="y\n")
    assert result.exit_code == 0, result.output


def test_downgrade_needs_a_revision(runner: CliRunner, sqlite_url: str) -> None:
    result = runner.invoke(app, ["downgrade", "--url", sqlite_url, "--yes"])
    assert result.exit_code == 2
    assert "--revision" in result.output


def test_database_errors_exit_1_with_the_password_masked(runner: CliRunner) -> None:
    for command in (["upgrade"], ["current"], ["downgrade", "--revision", "base", "--yes"]):
        result = runner.invoke(app, [*command, "--url", CLOSED_PORT_URL])
        assert result.exit_code == 1, command
        assert (
            "error: cannot connect to database postgresql+asyncpg://trader:***@127.0.0.1:1" in result.stderr
        )
        assert "s3cret" not in result.output


def test_an_unknown_revision_exits_1(runner: CliRunner, sqlite_url: str) -> None:
    result = runner.invoke(app, ["upgrade", "--url", sqlite_url, "--revision", "nope"])
    assert result.exit_code == 1
    assert "upgrade to nope failed" in result.stderr


def test_the_url_comes_from_the_configuration(runner: CliRunner, tmp_path: Path) -> None:
    database = tmp_path / "from_config" / "galfriday.db"
    config = tmp_path / "config.yaml"
    config.write_text(f"database:\n  url: sqlite+aiosqlite:///{database}\n")
    result = runner.invoke(app, ["upgrade", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert database.is_file()


def test_the_url_comes_from_the_environment(
    runner: CliRunner, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GALFRIDAY__DATABASE__URL", sqlite_url)
    result = runner.invoke(app, ["current"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("none")


def test_an_invalid_configuration_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("database:\n  url: mysql://nope\n")
    result = runner.invoke(app, ["current", "--config", str(config)])
    assert result.exit_code == 2
    assert "error:" in result.stderr

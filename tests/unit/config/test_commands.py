"""``galfriday config validate|show`` through Typer's test runner."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from galfriday.config import config_hash, load_config
from galfriday.config.commands import EXIT_INVALID, app
from galfriday.config.redact import SECRET_MASK


@pytest.fixture
def cli() -> typer.Typer:
    """The config app mounted the way src/galfriday/cli.py mounts it."""
    root = typer.Typer()
    root.add_typer(app, name="config")

    @root.command()
    def version() -> None:  # a second command so `config` stays a sub-command
        typer.echo("0")

    return root


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_validate_prints_ok_and_the_hash(
    cli: typer.Typer, runner: CliRunner, write_config: Callable[[str], Path]
) -> None:
    path = write_config("risk: {loss_streak_halt: 6}\n")

    result = runner.invoke(cli, ["config", "validate", str(path)])

    assert result.exit_code == 0
    assert result.stdout.strip() == f"OK {config_hash(load_config(path, env={}))}"


def test_validate_without_file_checks_the_defaults(cli: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["config", "validate"])

    assert result.exit_code == 0
    assert result.stdout.strip() == f"OK {config_hash(load_config(env={}))}"


def test_validate_applies_environment_overrides(cli: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["config", "validate"], env={"GALFRIDAY__RISK__LOSS_STREAK_HALT": "6"})

    assert result.exit_code == 0
    expected = config_hash(load_config(env={"GALFRIDAY__RISK__LOSS_STREAK_HALT": "6"}))
    assert result.stdout.strip() == f"OK {expected}"


def test_validate_lists_every_problem_and_exits_2(
    cli: typer.Typer, runner: CliRunner, write_config: Callable[[str], Path]
) -> None:
    path = write_config("risk: {risk_per_trade_pct: 0.05, loss_streak_hlat: 3}\n")

    result = runner.invoke(cli, ["config", "validate", str(path)])

    assert result.exit_code == EXIT_INVALID == 2
    assert result.stdout == ""
    assert "risk.risk_per_trade_pct: Input should be less than or equal to 0.01 (got 0.05)" in result.stderr
    assert "risk.loss_streak_hlat: unknown key (did you mean 'loss_streak_halt'?)" in result.stderr
    assert "hint:" in result.stderr


def test_validate_missing_file_exits_2(cli: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["config", "validate", str(tmp_path / "absent.yaml")])

    assert result.exit_code == 2
    assert "configuration file not found" in result.stderr


def test_show_yaml_masks_secrets_and_loads_back(
    cli: typer.Typer, runner: CliRunner, write_config: Callable[[str], Path], secret: str
) -> None:
    path = write_config(
        f"""
        exchange: {{api_key: "{secret}", api_secret: "{secret}"}}
        database: {{url: "postgresql+asyncpg://gf:{secret}@db/gf"}}
        risk: {{loss_streak_halt: 6}}
        """
    )

    result = runner.invoke(cli, ["config", "show", str(path)])

    assert result.exit_code == 0
    assert secret not in result.output
    shown = yaml.safe_load(result.stdout)
    assert shown["exchange"]["api_key"] == SECRET_MASK
    assert shown["risk"]["loss_streak_halt"] == 6
    assert shown["risk"]["risk_per_trade_pct"] == "0.005"  # Decimal kept exact, as text
    # The output is itself a valid configuration with the same non-secret values.
    reloaded = load_config(write_config(result.stdout), env={})
    assert reloaded.risk == load_config(path, env={}).risk


def test_show_json_masks_secrets(
    cli: typer.Typer, runner: CliRunner, write_config: Callable[[str], Path], secret: str
) -> None:
    path = write_config(f'alerting: {{webhooks: [{{url: "https://x.example.com", secret: "{secret}"}}]}}\n')

    result = runner.invoke(cli, ["config", "show", str(path), "--format", "json"])

    assert result.exit_code == 0
    assert secret not in result.output
    data = json.loads(result.stdout)
    assert data["alerting"]["webhooks"] == [{"url": "https://x.example.com", "secret": SECRET_MASK}]
    assert data["pairs"] == ["XRP/USD", "DOGE/USD"]


def test_show_invalid_config_exits_2_without_output(
    cli: typer.Typer, runner: CliRunner, write_config: Callable[[str], Path], secret: str
) -> None:
    path = write_config(f'exchange: {{api_secert: "{secret}"}}\n')

    result = runner.invoke(cli, ["config", "show", str(path), "-f", "json"])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "exchange.api_secert: unknown key" in result.stderr
    assert secret not in result.output


def test_show_rejects_an_unknown_format(cli: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["config", "show", "--format", "toml"])

    assert result.exit_code == 2
    assert result.stdout == ""


def test_app_can_be_invoked_directly(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate"])

    assert result.exit_code == 0
    assert result.stdout.startswith("OK ")

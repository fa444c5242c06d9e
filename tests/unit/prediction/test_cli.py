"""``galfriday train`` and ``galfriday models …`` end to end on real candles and a SQLite registry."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from galfriday.prediction.cli import register
from galfriday.storage.db.migrate import upgrade


@pytest.fixture
def cli(sqlite_url: str, tmp_path: Path):
    asyncio.run(upgrade(sqlite_url))
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    common = ["--db-url", sqlite_url, "--models-dir", str(tmp_path / "models")]

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, [*args, *common], env={"COLUMNS": "250"})
        return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")

    return invoke


def model_id(output: str) -> str:
    match = re.search(r"(xgboost-XRPUSDT-\S+) registered", output)
    assert match, output
    return match.group(1)


def test_train_gate_and_manage_models(cli, xrp_5m_path: Path, tmp_path: Path) -> None:
    train = ["train", "--data", str(xrp_5m_path), "--pair", "XRP/USDT", "--params", '{"n_estimators": 20}']
    code, out = cli(*train, "--out", str(tmp_path / "reports"))
    assert code == 3, out  # real data, no edge: registered in development, reasons printed
    rejected = model_id(out)
    assert "registered in development" in out and "gate failed: AUC" in out
    assert (tmp_path / "reports" / f"{rejected}.html").is_file()

    code, out = cli(
        *train, "--seed", "8", "--min-auc=-1", "--min-precision=-1", "--promote", "--out", str(tmp_path)
    )
    assert code == 0, out
    accepted = model_id(out)
    assert "registered in production" in out

    code, out = cli("models", "list")
    assert code == 0 and rejected in out and accepted in out and "production" in out

    code, out = cli("models", "promote", rejected, "--stage", "production")
    assert code == 1 and "failed its acceptance gates" in out and "--force" in out
    code, out = cli("models", "promote", rejected, "--stage", "production", "--force", "--reason", "drill")
    assert code == 0 and f"replaces {accepted}, now archived" in out

    code, out = cli("models", "rollback", "XRP/USDT")
    assert code == 0 and f"{accepted} is production again" in out
    code, out = cli("models", "show", rejected)
    assert code == 0 and "forced: drill" in out and "rolled back" in out and "sha256" in out
    code, out = cli("models", "archive", accepted, "--reason", "retired")
    assert code == 0 and "archived" in out
    code, out = cli("models", "rollback", "XRP/USDT")
    assert code == 1 and "no production model" in out

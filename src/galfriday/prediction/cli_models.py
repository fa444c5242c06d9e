"""``galfriday models list | show | promote | rollback | archive``: the registry from the shell."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from galfriday.prediction.cli_common import ConfigOption, DbUrlOption, ModelsDirOption, open_registry, run
from galfriday.storage.db.records_ml import ModelStage, ModelVersionRecord, StageChangeRecord

console = Console()


def list_command(
    pair: Annotated[str | None, typer.Option("--pair", help="Only this pair.")] = None,
    stage: Annotated[ModelStage | None, typer.Option("--stage", help="Only this stage.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    config: ConfigOption = None,
    db_url: DbUrlOption = None,
    models_dir: ModelsDirOption = None,
) -> None:
    """Model versions, newest first, with their out-of-sample scores."""

    async def work() -> list[ModelVersionRecord]:
        async with open_registry(config, db_url, models_dir) as registry:
            return await registry.list_versions(pair=pair, stage=stage, limit=limit)

    table = Table("pair", "target", "stage", "AUC", "precision", "Sharpe", "gates", "created")
    table.add_column("model id", no_wrap=True)
    for v in run(work):
        s = v.metrics.get("summary", {})
        table.add_row(
            v.pair,
            v.prediction_target,
            v.stage.value + (" (critical)" if v.critical else ""),
            _num(s.get("auc")),
            _num(s.get("precision")),
            _num(s.get("sharpe")),
            "passed" if v.gate_passed else "failed",
            f"{v.created_at:%Y-%m-%d %H:%M}",
            v.model_id,
        )
    console.print(table)


def show_command(
    model_id: Annotated[str, typer.Argument(help="Model id.")],
    config: ConfigOption = None,
    db_url: DbUrlOption = None,
    models_dir: ModelsDirOption = None,
) -> None:
    """Everything the registry knows about a model, and its stage history."""

    async def work() -> tuple[ModelVersionRecord, list[StageChangeRecord]]:
        async with open_registry(config, db_url, models_dir) as registry:
            version = await registry.get(model_id)
            return version, await registry.history(model_id)

    version, history = run(work)
    for field in ("model_id", "pair", "prediction_target", "model_type", "stage", "stage_reason", "critical"):
        console.print(f"[bold]{field}[/bold]: {getattr(version, field)}")
    console.print(f"[bold]features[/bold]: {version.feature_set_id} {version.feature_fingerprint}")
    console.print(f"  {', '.join(version.feature_names)}")
    console.print(
        f"[bold]data[/bold]: {version.data_start:%Y-%m-%d %H:%M} → {version.data_end:%Y-%m-%d %H:%M} UTC, "
        f"{version.training_rows} rows, trained in {version.training_seconds:.1f} s"
    )
    console.print(f"[bold]artefact[/bold]: {version.artifact_path} sha256 {version.artifact_sha256}")
    console.print(f"[bold]label[/bold]: {json.dumps(version.label)}")
    console.print(f"[bold]hyperparameters[/bold]: {json.dumps(version.hyperparameters)}")
    console.print(f"[bold]gates[/bold]: {json.dumps(version.gate)}")
    console.print(f"[bold]summary[/bold]: {json.dumps(version.metrics.get('summary'))}")
    for change in history:
        when = f"{change.changed_at:%Y-%m-%d %H:%M:%S}"
        console.print(f"  {when} {change.from_stage} → {change.to_stage}: {change.reason}")


def promote_command(
    model_id: Annotated[str, typer.Argument(help="Model id.")],
    stage: Annotated[ModelStage, typer.Option("--stage", help="staging or production.")] = ModelStage.STAGING,
    force: Annotated[
        bool, typer.Option("--force", help="Allow a model that failed its gates (recorded).")
    ] = False,
    critical: Annotated[
        bool | None, typer.Option("--critical/--not-critical", help="Stop start-up if it cannot load.")
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why, for the audit trail.")] = "",
    config: ConfigOption = None,
    db_url: DbUrlOption = None,
    models_dir: ModelsDirOption = None,
) -> None:
    """Promote a model; production archives the pair's current production model atomically."""

    async def work() -> ModelVersionRecord:
        async with open_registry(config, db_url, models_dir) as registry:
            return await registry.promote(model_id, stage, force=force, critical=critical, reason=reason)

    version = run(work)
    replaced = ""
    if stage is ModelStage.PRODUCTION and version.previous_production_id:
        replaced = f" (replaces {version.previous_production_id}, now archived)"
    typer.echo(f"{version.model_id} is now {version.stage}{replaced}")


def rollback_command(
    pair: Annotated[str, typer.Argument(help="Pair, e.g. XRP/USD.")],
    target: Annotated[str | None, typer.Option("--target", help="Prediction target, if several.")] = None,
    config: ConfigOption = None,
    db_url: DbUrlOption = None,
    models_dir: ModelsDirOption = None,
) -> None:
    """Archive the pair's production model and restore the one it replaced."""

    async def work() -> ModelVersionRecord:
        async with open_registry(config, db_url, models_dir) as registry:
            return await registry.rollback(pair, target)

    version = run(work)
    typer.echo(f"{version.model_id} is production again for {version.pair} {version.prediction_target}")


def archive_command(
    model_id: Annotated[str, typer.Argument(help="Model id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why, for the audit trail.")] = "archived",
    config: ConfigOption = None,
    db_url: DbUrlOption = None,
    models_dir: ModelsDirOption = None,
) -> None:
    """Retire a model (an archived production model leaves its pair without one)."""

    async def work() -> ModelVersionRecord:
        async with open_registry(config, db_url, models_dir) as registry:
            return await registry.archive(model_id, reason)

    version = run(work)
    typer.echo(f"{version.model_id} archived")


def _num(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) else "–"

"""``galfriday train``: train a model on a candle file, gate it, register it, write its report.

Exit status: 0 when the model passed its gates (registered in staging, or production with
``--promote``); 3 when it failed them (registered in development, reasons printed) — so a script
can tell the two apart; 1 on an error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from galfriday.prediction.backtest import CostModel
from galfriday.prediction.cli_common import (
    ConfigOption,
    DbUrlOption,
    ModelsDirOption,
    open_registry,
    run,
    settings,
)
from galfriday.prediction.datasets import WalkForwardConfig
from galfriday.prediction.estimators import MODEL_TYPES
from galfriday.prediction.gates import GateConfig
from galfriday.prediction.labels import LabelKind, LabelSpec
from galfriday.prediction.pipeline import TrainOutcome, TrainRequest, run_training
from galfriday.storage.db.records_ml import ModelStage

EXIT_GATES_FAILED = 3


def train_command(
    data: Annotated[
        Path, typer.Option("--data", help="Candle file: CSV, Parquet or Feather (read in place).")
    ],
    pair: Annotated[str, typer.Option("--pair", help="Pair the model trades, e.g. XRP/USD.")],
    model: Annotated[str, typer.Option("--model", help=f"One of {', '.join(MODEL_TYPES)}.")] = "xgboost",
    feature_set: Annotated[str, typer.Option("--feature-set", help="Feature set id.")] = "bars_v1",
    horizon: Annotated[int, typer.Option("--horizon", min=1, help="Label horizon in bars.")] = 12,
    label: Annotated[LabelKind, typer.Option("--label", help="Label definition.")] = LabelKind.FORWARD,
    margin: Annotated[float, typer.Option("--margin", min=0, help="Net gain required beyond fees.")] = 0.001,
    params: Annotated[str, typer.Option("--params", help="Hyperparameters as JSON.")] = "{}",
    windows: Annotated[int, typer.Option("--windows", min=1, help="Walk-forward test windows.")] = 4,
    embargo: Annotated[int | None, typer.Option("--embargo", help="Bars between train and test.")] = None,
    min_auc: Annotated[
        float, typer.Option("--min-auc", help="Gate: mean out-of-sample AUC must exceed this.")
    ] = GateConfig.min_auc,
    min_precision: Annotated[
        float, typer.Option("--min-precision", help="Gate: precision at the buy threshold must exceed this.")
    ] = GateConfig.min_precision,
    min_auc_gain: Annotated[
        float, typer.Option("--min-auc-gain", help="Gate vs production: relative AUC gain needed.")
    ] = GateConfig.min_auc_gain,
    min_sharpe_gain: Annotated[
        float, typer.Option("--min-sharpe-gain", help="Gate vs production: or relative Sharpe gain.")
    ] = GateConfig.min_sharpe_gain,
    promote: Annotated[
        bool, typer.Option("--promote", help="Promote to production if the gates pass.")
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the model.")] = 7,
    out: Annotated[Path, typer.Option("--out", help="Folder for the HTML training report.")] = Path(
        "reports/models"
    ),
    config: ConfigOption = None,
    db_url: DbUrlOption = None,
    models_dir: ModelsDirOption = None,
) -> None:
    """Train, validate walk-forward, gate and register a model (never straight into production)."""
    loaded = settings(config)
    fee = float(loaded.execution.taker_fee)
    strategy = loaded.strategy
    request = TrainRequest(
        data=data,
        pair=pair,
        model_type=model,
        feature_set_id=feature_set,
        label=_label(label, horizon, fee, margin, float(strategy.tp_pct), float(strategy.sl_pct)),
        hyperparameters=_json(params),
        walk_forward=WalkForwardConfig(windows=windows, embargo=embargo),
        gates=GateConfig(min_auc, min_precision, min_auc_gain, min_sharpe_gain),
        costs=CostModel(fee_rate=fee),
        seed=seed,
        feature_registry=loaded.features.registry_path,
        report_dir=out,
    )

    async def work() -> TrainOutcome:
        async with open_registry(config, db_url, models_dir) as registry:
            with Progress(
                TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), transient=True
            ) as bar:
                task = bar.add_task(f"training {model} on {data.name}", total=None)

                def progress(what: str, done: int, total: int) -> None:
                    bar.update(task, description=f"{model}: {what}", completed=done, total=total)

                outcome = await run_training(request, registry, progress=progress)
            if promote and outcome.decision.passed:
                promoted = await registry.promote(outcome.version.model_id, ModelStage.PRODUCTION)
                outcome = TrainOutcome(promoted, outcome.result, outcome.decision, outcome.report_path)
            return outcome

    outcome = run(work)
    _print(outcome)
    if not outcome.decision.passed:
        raise typer.Exit(EXIT_GATES_FAILED)


def _label(kind: LabelKind, horizon: int, fee: float, margin: float, tp: float, sl: float) -> LabelSpec:
    return LabelSpec(kind, horizon, fee, margin, take_profit=tp, stop_loss=sl)


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"--params must be a JSON object: {exc}") from None
    if not isinstance(value, dict):
        raise typer.BadParameter("--params must be a JSON object, e.g. '{\"max_depth\": 4}'")
    return value


def _print(outcome: TrainOutcome) -> None:
    console = Console()
    version, summary = outcome.version, outcome.result.summary
    console.print(f"[bold]{version.model_id}[/bold] registered in [bold]{version.stage}[/bold]")
    console.print(
        f"  {version.training_rows} rows, {version.training_seconds:.1f} s; out-of-sample means over "
        f"{summary['windows']} windows: AUC {_num(summary['auc'])}, precision {_num(summary['precision'])}, "
        f"Sharpe {_num(summary['sharpe'])} net of fees, {summary['n_trades']} trades"
    )
    for reason in outcome.decision.reasons:
        console.print(f"  [red]gate failed:[/red] {reason}")
    if outcome.report_path is not None:
        console.print(f"  report: {outcome.report_path}")


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"

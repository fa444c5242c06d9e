"""``galfriday walk-forward`` and ``galfriday optimize``: research on history, spread over the cores.

Mounted by the main CLI through ``register(app)``. Examples::

    galfriday walk-forward --data XRP/USD=xrp_5m.feather --strategy model --train 2d --test 1d
    galfriday walk-forward --data XRP/USD=xrp_5m.feather --strategy sma --train 2d --test 1d \\
        --reoptimise --trials 20 --objective sortino
    galfriday optimize --data XRP/USD=xrp_5m.feather --strategy sma --param fast=3:30 --param slow=10:120 \\
        --trials 40 --runner process --workers 2

Both print a results table and write JSON, CSV and a self-contained HTML page to
``<report dir>/<walk-forward|optimize>-<strategy>-<pairs>-<from>-<to>-seed<n>/``. ``--runner auto``
uses Ray when it is installed (``pip install 'galfriday[ray]'``), else local processes. Exit code 0;
1 when a task failed or a kernel handler raised in a run (its result is not to be trusted); 2 on bad
input.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from galfriday.app.bootstrap import setup_logging
from galfriday.backtest.report.serialize import iso
from galfriday.backtest.research.console import combined_table, params_text, trials_table, windows_table
from galfriday.backtest.research.data import Market, MarketData, ResearchSetup, open_market
from galfriday.backtest.research.errors import TaskFailed
from galfriday.backtest.research.model_window import ModelRecipe, register_window_models
from galfriday.backtest.research.objectives import OBJECTIVES
from galfriday.backtest.research.optimize import optimise
from galfriday.backtest.research.progress import progress_board
from galfriday.backtest.research.report import write_optimize_files, write_walk_forward_files
from galfriday.backtest.research.runner import RUNNER_KINDS, Runner, make_runner
from galfriday.backtest.research.space import SearchSpace, default_space, parse_param
from galfriday.backtest.research.trials import BacktestTrial
from galfriday.backtest.research.walk_forward import Reoptimise, WalkForwardPlan, walk_forward
from galfriday.backtest.research.windows import NS_PER_S, WindowSpec, duration_ns
from galfriday.backtest.session import fill_model_for, parse_time, warn_on_entry_timeout, with_pairs
from galfriday.backtest.strategies import StrategyKind, StrategySpec
from galfriday.config import config_hash, load_config
from galfriday.core.errors import GalFridayError
from galfriday.marketdata.bars import parse_interval
from galfriday.prediction.labels import LabelKind
from galfriday.strategy import RsiRule, SmaCrossRule

EXIT_UNTRUSTED = 1
EXIT_BAD_INPUT = 2
_SMA, _RSI = SmaCrossRule(), RsiRule()

DataOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--data", "-d", help="Candles/trades FILE or PAIR=FILE, or a history folder; repeatable. "
        "Default: backtest.data_path."
    ),
]
ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="YAML configuration file.")]
PairOpt = Annotated[
    list[str] | None, typer.Option("--pair", "-p", help="Pair (repeatable); default: the config's pairs.")
]
FromOpt = Annotated[str | None, typer.Option("--from", help="Start of the study's data, UTC (2024-01-01).")]
ToOpt = Annotated[str | None, typer.Option("--to", help="End of the study's data, exclusive, UTC.")]
FastOpt = Annotated[int, typer.Option(help="sma: fast SMA period (when not searched).")]
SlowOpt = Annotated[int, typer.Option(help="sma: slow SMA period (when not searched).")]
RsiPeriodOpt = Annotated[int, typer.Option(help="rsi: RSI period (when not searched).")]
RsiEnterOpt = Annotated[float, typer.Option(help="rsi: enter below this RSI (when not searched).")]
RsiExitOpt = Annotated[float, typer.Option(help="rsi: exit above this RSI (when not searched).")]
SeedOpt = Annotated[int, typer.Option(help="Seed of the simulated venue and of the parameter search.")]
IntervalOpt = Annotated[str | None, typer.Option(help="Bar interval of history folders / bars from trades.")]
AssetPairsOpt = Annotated[
    Path | None, typer.Option("--asset-pairs", help="Saved Kraken AssetPairs response for other pairs.")
]
ReportDirOpt = Annotated[
    Path | None, typer.Option("--report-dir", help="Where reports go (default: backtest.report_dir).")
]
RunnerOpt = Annotated[str, typer.Option(help=f"Where tasks run: {' | '.join(RUNNER_KINDS)}.")]
WorkersOpt = Annotated[int | None, typer.Option(min=1, help="Parallel workers (default: the cores).")]
TrialsOpt = Annotated[int, typer.Option(min=1, help="Parameter sets to evaluate.")]
ObjectiveOpt = Annotated[
    str, typer.Option(help=f"What to maximise: {', '.join(OBJECTIVES)}, or module:function.")
]
ParamOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--param", help="Search range NAME=LOW:HIGH[:STEP|:log], repeatable (default: the strategy's)."
    ),
]
BatchOpt = Annotated[
    int, typer.Option(min=1, help="Trials proposed per round (the result depends on it, not on --workers).")
]


def register(app: typer.Typer) -> None:
    """Add ``walk-forward`` and ``optimize`` to ``app``."""
    app.command("walk-forward")(walk_forward_command)
    app.command("optimize")(optimize_command)


def walk_forward_command(
    data: DataOpt = None,
    config: ConfigOpt = None,
    pair: PairOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    strategy: Annotated[StrategyKind, typer.Option(help="model (retrained per window) | sma | rsi.")] = (
        StrategyKind.MODEL
    ),
    train: Annotated[str, typer.Option(help="Training range of each window, e.g. 30d, 12h.")] = "30d",
    test: Annotated[str, typer.Option(help="Test range of each window.")] = "7d",
    step: Annotated[str | None, typer.Option(help="Between window starts (default: --test).")] = None,
    embargo: Annotated[str, typer.Option(help="Gap between training and test, e.g. 1h (0: none).")] = "0",
    anchored: Annotated[bool, typer.Option(help="Every window trains from the start of the data.")] = False,
    warmup: Annotated[int, typer.Option(min=0, help="Bars replayed before each test, not traded.")] = 100,
    model: Annotated[str, typer.Option(help="model: xgboost | random_forest | ensemble | lstm.")] = "xgboost",
    params: Annotated[str, typer.Option(help="model: hyperparameters as JSON.")] = "{}",
    horizon: Annotated[int, typer.Option(min=1, help="model: label horizon in bars.")] = 12,
    label: Annotated[LabelKind, typer.Option(help="model: label definition.")] = LabelKind.FORWARD,
    margin: Annotated[float, typer.Option(min=0, help="model: net gain a label needs beyond fees.")] = 0.001,
    validation_windows: Annotated[
        int, typer.Option(min=1, help="model: walk-forward validation windows inside each training range.")
    ] = 2,
    register_models: Annotated[
        bool, typer.Option("--register", help="model: record each window's model in the registry (dev).")
    ] = False,
    reoptimise: Annotated[
        bool, typer.Option(help="sma/rsi: search the parameters on each window's training range.")
    ] = False,
    trials: TrialsOpt = 20,
    objective: ObjectiveOpt = "sharpe",
    param: ParamOpt = None,
    batch: BatchOpt = 4,
    fast: FastOpt = _SMA.fast,
    slow: SlowOpt = _SMA.slow,
    rsi_period: RsiPeriodOpt = _RSI.period,
    rsi_enter: RsiEnterOpt = _RSI.enter_below,
    rsi_exit: RsiExitOpt = _RSI.exit_above,
    seed: SeedOpt = 0,
    interval: IntervalOpt = None,
    asset_pairs: AssetPairsOpt = None,
    report_dir: ReportDirOpt = None,
    runner: RunnerOpt = "auto",
    workers: WorkersOpt = None,
) -> None:
    """Walk forward: fit on each window's training range, trade its test range, stitch the tests."""
    console = Console()
    spec = StrategySpec(strategy, SmaCrossRule(fast, slow), RsiRule(rsi_period, rsi_enter, rsi_exit))
    try:
        setup, market = _open(console, config, data, pair, start, end, interval, asset_pairs, seed)
        plan = WalkForwardPlan(
            windows=WindowSpec(
                duration_ns(train, "--train"),
                duration_ns(test, "--test"),
                None if step is None else duration_ns(step, "--step"),
                0 if embargo == "0" else duration_ns(embargo, "--embargo"),
                anchored,
            ),
            strategy=spec,
            model=ModelRecipe(model, _json(params), horizon, label, margin, validation_windows, seed)
            if spec.needs_predictions
            else None,
            reoptimise=Reoptimise(_space(param, strategy), trials, objective, batch) if reoptimise else None,
            warmup_bars=warmup,
            keep_models=register_models,
        )
        with make_runner(runner, workers) as pool, progress_board(console) as update:
            result = walk_forward(setup, plan, pool, progress=update)
    except TaskFailed as exc:
        _failed(console, exc)
        raise typer.Exit(EXIT_UNTRUSTED) from None
    except (GalFridayError, ValueError) as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    quote = setup.settings.portfolio.quote_currency
    console.print(windows_table(result))
    console.print(combined_table(result.combined, quote))
    console.print(
        f"{len(result.windows)} windows in {result.seconds:.1f} s "
        f"({_runner(pool)})"
    )
    context = _context(setup, market, spec) | {"plan": _plain_plan(plan)}
    span = (result.combined.start_ns, result.combined.end_ns)
    folder = _folder(report_dir, setup, "walk-forward", spec, *span)
    files = write_walk_forward_files(result, folder, context)
    console.print(f"reports: {folder}  ({', '.join(sorted(files))})")
    if register_models:
        _register(config, [m for o in result.windows for m in o.models], console)
    if result.combined.failures:
        errors = len(result.combined.failures)
        console.print(f"[bold red]{errors} kernel handler error(s): do not trust this result[/]")
        raise typer.Exit(EXIT_UNTRUSTED)


def optimize_command(
    data: DataOpt = None,
    config: ConfigOpt = None,
    pair: PairOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    strategy: Annotated[StrategyKind, typer.Option(help="sma | rsi.")] = StrategyKind.SMA,
    trials: TrialsOpt = 30,
    objective: ObjectiveOpt = "sharpe",
    param: ParamOpt = None,
    batch: BatchOpt = 4,
    storage: Annotated[
        str | None, typer.Option(help="Optuna storage URL to keep the trials (sqlite:///var/optuna.db).")
    ] = None,
    study_name: Annotated[
        str | None, typer.Option(help="Study name in --storage (resumed if it exists).")
    ] = None,
    fast: FastOpt = _SMA.fast,
    slow: SlowOpt = _SMA.slow,
    rsi_period: RsiPeriodOpt = _RSI.period,
    rsi_enter: RsiEnterOpt = _RSI.enter_below,
    rsi_exit: RsiExitOpt = _RSI.exit_above,
    seed: SeedOpt = 0,
    interval: IntervalOpt = None,
    asset_pairs: AssetPairsOpt = None,
    report_dir: ReportDirOpt = None,
    runner: RunnerOpt = "auto",
    workers: WorkersOpt = None,
) -> None:
    """Search a rule strategy's parameters with Optuna (TPE, seeded) for the best objective."""
    console = Console()
    spec = StrategySpec(strategy, SmaCrossRule(fast, slow), RsiRule(rsi_period, rsi_enter, rsi_exit))
    try:
        setup, market = _open(console, config, data, pair, start, end, interval, asset_pairs, seed)
        space = _space(param, strategy)
        trial = BacktestTrial(setup, spec, objective)
        with make_runner(runner, workers) as pool, progress_board(console) as update:
            result = optimise(
                trial,
                space,
                trials=trials,
                seed=seed,
                batch=batch,
                runner=pool,
                check=trial.check,
                storage=storage,
                study_name=study_name,
                progress=lambda done, total: update("trials", done, total),
            )
    except TaskFailed as exc:
        _failed(console, exc)
        raise typer.Exit(EXIT_UNTRUSTED) from None
    except (GalFridayError, ValueError) as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    console.print(trials_table(result, objective))
    console.print(
        f"best: {params_text(result.best.params)} → {objective} {result.best.value:.4g} "
        f"(trial {result.best.number}); "
        f"{len(result.trials)} trials, {result.infeasible} infeasible skipped, {result.seconds:.1f} s "
        f"({_runner(pool)})"
    )
    context = _context(setup, market, spec) | {
        "objective": objective,
        "space": space.describe(),
        "batch": batch,
        "trials_requested": trials,
    }
    folder = _folder(report_dir, setup, "optimize", spec, market.start_ns, market.end_ns)
    files = write_optimize_files(result, folder, context)
    console.print(f"reports: {folder}  ({', '.join(sorted(files))})")


def _open(
    console: Console,
    config: Path | None,
    data: list[str] | None,
    pairs: list[str] | None,
    start: str | None,
    end: str | None,
    interval: str | None,
    asset_pairs: Path | None,
    seed: int,
) -> tuple[ResearchSetup, Market]:
    """Settings (pairs, the fill model the data allows) and the study's data, as ``backtest`` does."""
    settings = load_config(config)
    setup_logging(settings, console=False)
    settings = with_pairs(settings, tuple(pairs or ()))
    interval_s = parse_interval(interval) if interval else settings.market_data.bar_interval_s
    specs = tuple(data or (str(settings.backtest.data_path),))
    market_data = MarketData(specs, interval_s, parse_time(start), parse_time(end), asset_pairs)
    _, market = open_market(market_data, settings)
    feed = market.feed(market.start_ns, market.end_ns)
    settings = fill_model_for(settings, feed, console)
    warn_on_entry_timeout(settings, feed, console)
    return ResearchSetup(settings, market_data, seed), market


def _space(params: list[str] | None, kind: StrategyKind) -> SearchSpace:
    return SearchSpace(tuple(parse_param(p) for p in params)) if params else default_space(kind)


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"--params must be a JSON object: {exc}") from None
    if not isinstance(value, dict):
        raise typer.BadParameter("--params must be a JSON object, e.g. '{\"max_depth\": 4}'")
    return value


def _context(setup: ResearchSetup, market: Market, spec: StrategySpec) -> dict[str, Any]:
    settings = setup.settings
    return {
        "strategy": spec.describe(),
        "pairs": list(settings.pairs),
        "data": list(market.descriptions),
        "range": [iso(market.start_ns), iso(market.end_ns)],
        "bar_interval_s": market.interval_s,
        "seed": setup.seed,
        "config_hash": config_hash(settings),
        "quote_currency": settings.portfolio.quote_currency,
        "initial_cash": settings.backtest.initial_cash,
    }


def _plain_plan(plan: WalkForwardPlan) -> dict[str, Any]:
    out: dict[str, Any] = {"warmup_bars": plan.warmup_bars}
    if plan.model is not None:
        out["model"] = asdict(plan.model)
    if plan.reoptimise is not None:
        how = plan.reoptimise
        out["reoptimise"] = {
            "space": how.space.describe(),
            "trials": how.trials,
            "objective": how.objective,
            "batch": how.batch,
        }
    return out


def _folder(
    report_dir: Path | None, setup: ResearchSetup, study: str, spec: StrategySpec, start_ns: int, end_ns: int
) -> Path:
    pairs = "+".join(p.replace("/", "") for p in setup.settings.pairs)
    first, last = (datetime.fromtimestamp(t // NS_PER_S, UTC).strftime("%Y%m%d") for t in (start_ns, end_ns))
    name = f"{study}-{spec.kind}-{pairs}-{first}-{last}-seed{setup.seed}"
    return (report_dir or setup.settings.backtest.report_dir) / name


def _runner(runner: Runner) -> str:
    return f"{runner.name} runner, {runner.workers} worker{'s' if runner.workers != 1 else ''}"


def _failed(console: Console, exc: TaskFailed) -> None:
    console.print(f"[red]error:[/] {exc}")
    if exc.remote:
        tail = exc.remote.strip().splitlines()[-6:]
        console.print("[dim]worker traceback (last lines):\n" + "\n".join(tail) + "[/]", highlight=False)


def _register(config: Path | None, models: list[Any], console: Console) -> None:
    from galfriday.prediction.cli_common import open_registry, run

    async def work() -> list[str]:
        async with open_registry(config, None, None) as registry:
            return await register_window_models(models, registry)

    ids = run(work)
    console.print(f"registered {len(ids)} model(s) in development: {', '.join(ids)}")

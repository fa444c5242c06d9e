"""``galfriday demo``: the README's main job — the whole system, end to end, on embedded defaults.

No server, no API key, no file from outside: SQLite, DuckDB and the built-in exchange simulator.
Five steps, each the code path the corresponding command runs:

1. start-up (``app.bootstrap``): the demo's configuration written and validated, logging, the
   database migrated, the configuration recorded;
2. a synthetic market (``demo.market``): weeks of one-minute candles per pair;
3. models (``demo.train``): XGBoost trained walk-forward on the first part, gated, registered,
   promoted to production when the gates pass — ``galfriday train``;
4. a backtest of the production models (or the SMA baseline) on the held-out rest, through the
   live trading kernel, with its HTML report and database record — ``galfriday backtest``;
5. a short paper session (``demo.paper``) against the exchange simulator over real sockets, on the
   bars that follow — ``galfriday run --mode paper``;

then a summary of where everything is. Everything lands in one folder (``var/demo`` by default).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.table import Table

from galfriday.app.bootstrap import start
from galfriday.app.demo.market import DEMO_MARKET, PairData, write_history, write_tape
from galfriday.app.demo.paper import PaperOutcome, paper_session
from galfriday.app.demo.train import Trained, train_models
from galfriday.app.demo.workspace import Workspace, free_ports, prepare, write_config
from galfriday.backtest.session import BacktestRequest, SessionOutcome, run_session
from galfriday.backtest.strategies import StrategyKind, StrategySpec
from galfriday.core.instruments import default_instruments

EXIT_OK, EXIT_FAILED = 0, 1
NS_PER_DAY = 86_400_000_000_000


@dataclass(frozen=True)
class DemoOptions:
    directory: Path = Path("var/demo")
    config: Path | None = None  # the user's configuration, replacing the demo's trading settings
    days: float = 14.0  # synthetic history: 70 % to train on, 30 % to backtest
    paper_seconds: float = 45.0
    speed: float = 300.0  # market minutes per wall minute in the paper session
    seed: int = 7


async def run_demo(options: DemoOptions, console: Console) -> int:
    wall = time.perf_counter()
    workspace = prepare(options.directory)
    ports = free_ports()
    config_path, _ = write_config(workspace, options.config, ports)

    _step(console, 1, "start-up")
    started = await start(config_path, console_logs=False)
    settings = started.settings
    console.print(
        f"  configuration {config_path} (sha256 {started.config_hash[:12]}…, "
        f"recorded as #{started.config_pk})"
    )
    console.print(f"  database {settings.database.url} (schema {started.revision})")

    _step(console, 2, "synthetic market")
    instruments = default_instruments()
    paper_bars = int(options.paper_seconds * options.speed / 60) + 60
    data = write_history(
        workspace.data,
        instruments,
        settings.pairs,
        days=options.days,
        paper_minutes=paper_bars,
        end_ns=time.time_ns() // NS_PER_DAY * NS_PER_DAY,  # midnight UTC: the same market every run
        seed=options.seed,
    )
    for item in data:
        console.print(
            f"  {item.pair}: {item.train_bars:,} one-minute candles to train on, {item.test_bars:,} held out "
            f"for the backtest, {item.paper.num_rows:,} for the paper session"
        )
    console.print(
        "  [dim]a seeded GARCH market with a planted trend persistence "
        f"({', '.join(f'{k} {v}' for k, v in DEMO_MARKET.items())}): something for the models to find. "
        "A synthetic edge proves the plumbing, not a strategy.[/dim]"
    )

    _step(console, 3, "models: train walk-forward, gate, register")
    try:
        trained = await train_models(settings, started.database, data, workspace.reports, console)
    finally:
        await started.database.close()
    _print_models(console, trained)
    model_pairs = [t.pair for t in trained if t.promoted]

    _step(console, 4, "backtest on the held-out candles")
    backtest = await _backtest(config_path, data, model_pairs, options.seed, console)

    _step(console, 5, f"paper session against the exchange simulator ({options.speed:g}x market speed)")
    tapes = {d.pair: write_tape(workspace.data, d, instruments[d.pair], time.time_ns()) for d in data}
    paper = await paper_session(
        config_path,
        tapes,
        port=ports.simulator,
        speed=options.speed,
        seconds=options.paper_seconds,
        use_models=bool(model_pairs),
        console=console,
    )
    _summary(console, workspace, backtest, paper, time.perf_counter() - wall)
    return EXIT_OK if not backtest.result.failures and paper.exit_code == 0 else EXIT_FAILED


async def _backtest(
    config_path: Path, data: list[PairData], model_pairs: list[str], seed: int, console: Console
) -> SessionOutcome:
    if model_pairs:
        console.print(f"  strategy: the production models of {', '.join(model_pairs)}")
        strategy, pairs = StrategySpec(StrategyKind.MODEL), model_pairs
    else:
        console.print("  [yellow]no model passed its gates: backtesting the SMA crossover baseline[/yellow]")
        strategy, pairs = StrategySpec(StrategyKind.SMA), [d.pair for d in data]
    request = BacktestRequest(
        data=tuple(f"{d.pair}={d.test}" for d in data if d.pair in pairs),
        config=config_path,
        pairs=tuple(pairs),
        strategy=strategy,
        seed=seed,
    )
    return await run_session(request, console)


def _step(console: Console, number: int, title: str) -> None:
    console.rule(f"[bold]{number}/5 {title}")


def _print_models(console: Console, trained: list[Trained]) -> None:
    table = Table(show_edge=False)
    for column in ("pair", "model", "stage", "AUC", "precision", "Sharpe (net)", "report"):
        table.add_column(column)
    for item in trained:
        summary, version = item.outcome.result.summary, item.outcome.version
        table.add_row(
            item.pair,
            version.model_id,
            str(version.stage),
            _num(summary["auc"]),
            _num(summary["precision"]),
            _num(summary["sharpe"]),
            str(item.outcome.report_path),
        )
    console.print(table)
    for item in trained:
        for reason in item.outcome.decision.reasons:
            console.print(f"  [yellow]{item.pair} gate failed:[/yellow] {reason}")


def _summary(
    console: Console, workspace: Workspace, backtest: SessionOutcome, paper: PaperOutcome, seconds: float
) -> None:
    console.rule("[bold]done")
    trades = paper.tape.trades
    pnl = sum((t.realized_pnl for t in trades), Decimal(0))
    table = Table(show_header=False, show_edge=False)
    table.add_row("backtest report", str(backtest.files["report.html"]))
    table.add_row("backtest files", f"{backtest.folder}/ (result.json, trades/orders/fills/equity .csv)")
    table.add_row("training reports", str(workspace.reports / "models"))
    table.add_row("paper session", f"{paper.signals}; {len(trades)} trades closed, realised P&L {pnl:.2f} "
                  f"net of fees; equity {paper.equity:.2f} from {paper.initial_cash:.2f}")
    table.add_row("database", f"{workspace.database_path} (orders, fills, trades, signals, models, logs)")
    table.add_row("time series", str(workspace.root / "timeseries.duckdb"))
    table.add_row("logs", str(workspace.root / "logs" / "galfriday.jsonl"))
    table.add_row("configuration", str(workspace.config_path))
    console.print(table)
    console.print(
        "Open the backtest report in a browser (it works offline). To watch the dashboard and the "
        "Prometheus metrics, keep a paper session open: `./scripts/demo --paper-for 900`, then open the "
        f"dashboard URL it prints (API key: dashboard.api_key in {workspace.config_path.name}); metrics are "
        "at <that URL>/metrics. Reuse the configuration: "
        f"`galfriday models list --config {workspace.config_path}`."
    )
    console.print(f"[bold]demo finished in {seconds:.0f} s[/bold]")


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def demo(options: DemoOptions) -> int:
    return asyncio.run(run_demo(options, Console()))

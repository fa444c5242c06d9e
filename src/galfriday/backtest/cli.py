"""``galfriday backtest``: replay history through the trading kernel and report what it would have done.

Mounted by the main CLI through ``register(app)``. Example::

    galfriday backtest --config my.yaml --data XRP/USD=xrp_5m.feather --strategy sma --fast 10 --slow 30 \\
        --from 2021-11-15 --to 2021-11-20

prints the metrics, writes ``result.json``, ``trades.csv``, ``orders.csv``, ``fills.csv``,
``equity.csv``, ``report.html`` and ``run.json`` to ``<report dir>/<strategy>-<pairs>-<from>-<to>-seed<n>/``
and records the run in the configured database (``--no-db`` to skip). Exit code 0; 1 when a kernel
handler raised during the run (the result is then not to be trusted); 2 on bad input.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from galfriday.backtest.session import BacktestRequest, run_session
from galfriday.backtest.strategies import StrategyKind, StrategySpec
from galfriday.core.errors import GalFridayError
from galfriday.strategy import RsiRule, SmaCrossRule

EXIT_UNTRUSTED = 1
EXIT_BAD_INPUT = 2
_SMA, _RSI = SmaCrossRule(), RsiRule()  # the rules' defaults


def register(app: typer.Typer) -> None:
    """Add the ``backtest`` command to ``app``."""
    app.command("backtest")(backtest)


def backtest(
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            help="Candles/trades FILE or PAIR=FILE (csv, parquet, feather), or a history folder; repeatable. "
            "Default: backtest.data_path.",
        ),
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="YAML configuration file.")] = None,
    pair: Annotated[
        list[str] | None,
        typer.Option("--pair", "-p", help="Pair to trade (repeatable); default: the config's pairs."),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First bar/trade time, UTC (e.g. 2024-01-01).")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="End of the window, exclusive, UTC.")] = None,
    strategy: Annotated[
        StrategyKind, typer.Option(help="sma | rsi | model (the registry's production models).")
    ] = (StrategyKind.SMA),
    fast: Annotated[int, typer.Option(help="sma: fast SMA period (bars).")] = _SMA.fast,
    slow: Annotated[int, typer.Option(help="sma: slow SMA period (bars).")] = _SMA.slow,
    rsi_period: Annotated[int, typer.Option(help="rsi: RSI period (bars).")] = _RSI.period,
    rsi_enter: Annotated[
        float, typer.Option(help="rsi: enter when RSI falls below this.")
    ] = _RSI.enter_below,
    rsi_exit: Annotated[float, typer.Option(help="rsi: exit when RSI rises above this.")] = _RSI.exit_above,
    seed: Annotated[int, typer.Option(help="Seed of the simulated venue (ids, latency jitter).")] = 0,
    interval: Annotated[
        str | None, typer.Option(help="Bar interval for history folders and bars built from trades, e.g. 1m.")
    ] = None,
    asset_pairs: Annotated[
        Path | None,
        typer.Option("--asset-pairs", help="Saved Kraken AssetPairs response for other pairs' tick/lot."),
    ] = None,
    report_dir: Annotated[
        Path | None, typer.Option("--report-dir", help="Where reports go (default: backtest.report_dir).")
    ] = None,
    db: Annotated[
        bool, typer.Option("--db/--no-db", help="Record the run in the configured database.")
    ] = True,
) -> None:
    """Backtest a strategy on historical candles or trades through the live trading kernel."""
    console = Console()
    try:
        spec = StrategySpec(strategy, SmaCrossRule(fast, slow), RsiRule(rsi_period, rsi_enter, rsi_exit))
        request = BacktestRequest(
            data=tuple(data or ()),
            config=config,
            pairs=tuple(pair or ()),
            start=start,
            end=end,
            strategy=spec,
            seed=seed,
            report_dir=report_dir,
            asset_pairs=asset_pairs,
            interval=interval,
            database=db,
        )
        outcome = asyncio.run(run_session(request, console))
    except (GalFridayError, ValueError) as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if outcome.result.failures:
        raise typer.Exit(EXIT_UNTRUSTED)

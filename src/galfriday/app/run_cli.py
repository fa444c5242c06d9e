"""``galfriday run``: trade — paper (simulated fills on real market data) or live (real orders).

``register(app)`` adds the command to a Typer app. The session itself is ``app.runtime``; this
module only turns flags into ``RunOptions`` and the outcome into an exit code (``runtime.run``).
"""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from galfriday.app.runtime.options import Mode, Rule, RunOptions
from galfriday.strategy.sources import RsiRule, SmaCrossRule


class ModeChoice(StrEnum):
    PAPER = "paper"
    LIVE = "live"


class RuleChoice(StrEnum):
    RSI = "rsi"
    SMA = "sma"


RULES: dict[RuleChoice, Rule] = {RuleChoice.RSI: RsiRule(), RuleChoice.SMA: SmaCrossRule()}


def register(app: typer.Typer) -> None:
    """Add ``run`` to ``app``."""
    app.command("run")(run)


def run(
    mode: Annotated[ModeChoice, typer.Option("--mode", help="paper: simulated fills; live: real orders.")],
    config: Annotated[Path | None, typer.Option("--config", "-c", help="YAML configuration file.")] = None,
    for_seconds: Annotated[
        float | None,
        typer.Option(
            "--for", min=0.001, help="Stop after this many seconds (default: run until SIGTERM/SIGINT)."
        ),
    ] = None,
    market_speed: Annotated[
        float,
        typer.Option(
            "--market-speed",
            min=1,
            help="Paper on accelerated data (an exchange simulator "
            "at --speed N): the session's clock runs N times faster, following the data.",
        ),
    ] = 1.0,
    rule: Annotated[
        RuleChoice | None,
        typer.Option(
            "--rule",
            help="Trade a rule baseline (RSI 14 below 30 / above 70, "
            "or SMA 10/30 crossover) instead of model predictions.",
        ),
    ] = None,
) -> None:
    """Run the trading system until SIGTERM/SIGINT (twice: force) or --for elapses.

    Exit codes: 0 clean stop, 1 refused to start or shutdown incomplete, 2 invalid configuration,
    130 forced by a second signal.
    """
    from galfriday.app.runtime.run import run_session

    chosen: Mode = "paper" if mode is ModeChoice.PAPER else "live"
    options = RunOptions(
        mode=chosen,
        config_file=config,
        duration_s=for_seconds,
        market_speed=market_speed,
        rule=RULES[rule] if rule is not None else None,
    )
    raise typer.Exit(asyncio.run(run_session(options)))

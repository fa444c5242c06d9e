"""The ``galfriday`` command line. Each sub-command group lives beside the code it drives."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from galfriday import __version__

app = typer.Typer(
    name="galfriday",
    help="Gal-Friday: automated trading for Kraken spot.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


_registered = False


def _register_subcommands() -> None:
    # Imported here so `galfriday --help` stays fast and a broken optional part names itself.
    global _registered
    if _registered:
        return
    _registered = True
    from galfriday.app.control_cli import register as register_control
    from galfriday.app.run_cli import register as register_run
    from galfriday.backtest.cli import register as register_backtest
    from galfriday.backtest.cli_research import register as register_research
    from galfriday.config.commands import app as config_app
    from galfriday.features.cli import register as register_features
    from galfriday.marketdata.commands import app as data_app
    from galfriday.prediction.cli import register as register_prediction
    from galfriday.sim.cli import register as register_exchange_sim
    from galfriday.storage.commands import app as db_app

    app.add_typer(config_app, name="config", help="Validate and show the effective configuration.")
    app.add_typer(db_app, name="db", help="Create and migrate the relational database.")
    app.add_typer(data_app, name="data", help="Market data: history and book-capture verification.")
    features_app = typer.Typer(no_args_is_help=True)
    register_features(features_app)
    app.add_typer(features_app, name="features", help="Compute feature sets from candle files.")
    register_exchange_sim(app)
    register_control(app)
    register_prediction(app)
    register_backtest(app)
    register_research(app)
    register_run(app)


DEMO_DIR = Path("var/demo")


@app.command()
def demo(
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="YAML configuration whose trading settings replace the demo's."),
    ] = None,
    directory: Annotated[
        Path, typer.Option("--dir", help="Folder for everything the demo writes (emptied first).")
    ] = DEMO_DIR,
    days: Annotated[
        float, typer.Option(min=2, help="Days of synthetic one-minute history (70 % train).")
    ] = 14.0,
    paper_for: Annotated[float, typer.Option("--paper-for", min=5, help="Seconds of paper trading.")] = 45.0,
    speed: Annotated[
        float, typer.Option(min=1, help="Market speed of the paper session (x real time).")
    ] = 300.0,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic market and the simulated venue.")] = 7,
) -> None:
    """Run the whole system end to end on embedded defaults: no servers, no API keys, no data files.

    A synthetic market, models trained and registered, a backtest with its report, and a short
    paper session against the built-in exchange simulator.
    """
    from galfriday.app.demo import DemoOptions
    from galfriday.app.demo import demo as run_demo
    from galfriday.core.errors import GalFridayError

    options = DemoOptions(directory, config, days, paper_for, speed, seed)
    try:
        raise typer.Exit(run_demo(options))
    except (GalFridayError, FileExistsError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


@app.command()
def version() -> None:
    """Print the installed version."""
    typer.echo(__version__)


def main() -> None:
    _register_subcommands()
    app()


if __name__ == "__main__":
    main()

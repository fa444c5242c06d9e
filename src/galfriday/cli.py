"""The ``galfriday`` command line. Each sub-command group lives beside the code it drives."""

from __future__ import annotations

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
    register_run(app)


@app.command()
def demo(
    config: str | None = typer.Option(None, "--config", "-c", help="YAML configuration file."),
    minutes: int = typer.Option(60, min=1, help="Length of the simulated session."),
) -> None:
    """Run the main job on embedded defaults: no servers, no API keys."""
    from galfriday.app.demo import demo as run_demo
    from galfriday.core.errors import GalFridayError

    try:
        raise typer.Exit(run_demo(config, minutes))
    except GalFridayError as exc:
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

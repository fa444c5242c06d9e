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


def _register_subcommands() -> None:
    # Imported here so `galfriday --help` stays fast and a broken optional part names itself.
    from galfriday.config.commands import app as config_app
    from galfriday.storage.commands import app as db_app

    app.add_typer(config_app, name="config", help="Validate and show the effective configuration.")
    app.add_typer(db_app, name="db", help="Create and migrate the relational database.")


@app.command()
def version() -> None:
    """Print the installed version."""
    typer.echo(__version__)


def main() -> None:
    _register_subcommands()
    app()


if __name__ == "__main__":
    main()

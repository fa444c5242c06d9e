"""``galfriday db …``: create, migrate and inspect the relational database.

The database URL is ``--url`` if given, else ``database.url`` from the configuration (``--config``
file, ``GALFRIDAY__DATABASE__URL``, or the built-in default). A database failure prints what went
wrong and what to do and exits with status 1; an invalid configuration exits with status 2.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from galfriday.config import load_config
from galfriday.core.errors import ConfigError, StorageError
from galfriday.storage.db import migrate
from galfriday.storage.db.engine import mask_url

EXIT_DATABASE_ERROR = 1
EXIT_INVALID_CONFIG = 2  # as ``galfriday config validate``

T = TypeVar("T")

app = typer.Typer(no_args_is_help=True, help="Create and migrate the relational database.")

UrlOption = Annotated[
    str | None,
    typer.Option("--url", help="Database URL; overrides database.url from the configuration."),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="YAML configuration file to read database.url from."),
]


@app.command()
def upgrade(
    url: UrlOption = None,
    config: ConfigOption = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Create the schema or migrate it forward (default: to the latest revision)."""
    target = _resolve(url, config)
    reached = _or_exit(lambda: asyncio.run(migrate.upgrade(target, revision)))
    typer.echo(f"{mask_url(target)} is at revision {reached or 'base (no tables)'}")


@app.command()
def downgrade(
    revision: Annotated[str, typer.Option(help="Target revision; 'base' drops every table.")],
    url: UrlOption = None,
    config: ConfigOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Migrate the schema back to REVISION. Tables a revision created are dropped with their data."""
    target = _resolve(url, config)
    if not yes:
        typer.confirm(
            f"Downgrade {mask_url(target)} to {revision}? Dropped tables lose their data", abort=True
        )
    reached = _or_exit(lambda: asyncio.run(migrate.downgrade(target, revision)))
    typer.echo(f"{mask_url(target)} is at revision {reached or 'base (no tables)'}")


@app.command()
def current(url: UrlOption = None, config: ConfigOption = None) -> None:
    """Print the schema revision of the database, and whether it is the latest."""
    target = _resolve(url, config)
    revision = _or_exit(lambda: asyncio.run(migrate.current(target)))
    head = migrate.head_revision()
    if revision is None:
        typer.echo(f"none (no schema yet; latest is {head}): run `galfriday db upgrade`")
    elif revision == head:
        typer.echo(f"{revision} (head)")
    else:
        typer.echo(f"{revision} (latest is {head})")


def _resolve(url: str | None, config_file: Path | None) -> str:
    if url is not None:
        return url
    try:
        return load_config(config_file).database.url
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_INVALID_CONFIG) from exc


def _or_exit(work: Callable[[], T]) -> T:
    """Run ``work``; a database failure is printed with what to do and exits with status 1."""
    try:
        return work()
    except StorageError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_DATABASE_ERROR) from exc

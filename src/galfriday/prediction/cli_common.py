"""What the ``train`` and ``models`` commands share: options, the registry they open, error exits.

The database URL is ``--db-url`` if given, else ``database.url`` of the configuration; the model
folder is ``--models-dir`` if given, else ``prediction.models_dir``. Errors print what to do and
exit with status 1 (2 for an invalid configuration, as ``galfriday db``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from galfriday.config import load_config
from galfriday.config.schema import Settings
from galfriday.core.errors import ConfigError, GalFridayError
from galfriday.prediction.artifacts import ArtifactStore
from galfriday.prediction.registry import ModelRegistry
from galfriday.storage.db.database import open_migrated_database
from galfriday.storage.db.repositories.models import ModelRepository

EXIT_FAILED = 1
EXIT_INVALID_CONFIG = 2

T = TypeVar("T")

ConfigOption = Annotated[Path | None, typer.Option("--config", help="YAML configuration file.")]
DbUrlOption = Annotated[
    str | None, typer.Option("--db-url", help="Database URL; overrides database.url of the configuration.")
]
ModelsDirOption = Annotated[
    Path | None, typer.Option("--models-dir", help="Model artefact folder; overrides prediction.models_dir.")
]


def settings(config: Path | None) -> Settings:
    try:
        return load_config(config)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_INVALID_CONFIG) from exc


@asynccontextmanager
async def open_registry(
    config: Path | None, db_url: str | None, models_dir: Path | None
) -> AsyncIterator[ModelRegistry]:
    loaded = settings(config)
    database, _ = await open_migrated_database(db_url or loaded.database.url)
    try:
        store = ArtifactStore(models_dir or loaded.prediction.models_dir)
        yield ModelRegistry(ModelRepository(database.sessions), store)
    finally:
        await database.close()


def run(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` on a fresh event loop; a deliberate error is printed and exits with status 1."""
    try:
        return asyncio.run(work())  # type: ignore[arg-type]
    except GalFridayError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from exc
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from exc

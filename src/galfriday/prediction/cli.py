"""``galfriday train`` and ``galfriday models …``; the main CLI mounts them with ``register(app)``."""

from __future__ import annotations

import typer

from galfriday.prediction import cli_models
from galfriday.prediction.cli_train import train_command


def register(app: typer.Typer) -> None:
    """Add ``train`` and the ``models`` group (list, show, promote, rollback, archive) to ``app``."""
    app.command("train")(train_command)
    models = typer.Typer(no_args_is_help=True, help="The model registry: stages, promotion, rollback.")
    models.command("list")(cli_models.list_command)
    models.command("show")(cli_models.show_command)
    models.command("promote")(cli_models.promote_command)
    models.command("rollback")(cli_models.rollback_command)
    models.command("archive")(cli_models.archive_command)
    app.add_typer(models, name="models")

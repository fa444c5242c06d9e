"""``galfriday data …``: history download/import/list and raw book-capture verification."""

from __future__ import annotations

import typer

from galfriday.marketdata import cli_history, cli_verify

app = typer.Typer(no_args_is_help=True)
cli_history.register(app)
cli_verify.register(app)

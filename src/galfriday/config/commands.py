"""``galfriday config validate|show``: check a configuration before trusting real money to it."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import yaml

from galfriday.config.hashing import config_hash, public_dict
from galfriday.config.loader import load_config
from galfriday.config.schema import Settings
from galfriday.core.errors import ConfigError

EXIT_INVALID = 2
"""Exit code of an invalid configuration (the same code click uses for bad usage)."""

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

ConfigFile = Annotated[
    Path | None,
    typer.Argument(
        help="YAML configuration file; omitted = built-in defaults. GALFRIDAY__* variables apply.",
        show_default=False,
    ),
]


class OutputFormat(StrEnum):
    yaml = "yaml"
    json = "json"


def _load(file: Path | None) -> Settings:
    try:
        return load_config(file)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_INVALID) from None


@app.command()
def validate(file: ConfigFile = None) -> None:
    """Validate the configuration; print ``OK <hash>`` or every problem (exit code 2)."""
    typer.echo(f"OK {config_hash(_load(file))}")


@app.command()
def show(
    file: ConfigFile = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.yaml,
) -> None:
    """Print the effective configuration with every secret masked (exit code 2 if invalid)."""
    data = public_dict(_load(file))
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip("\n"))

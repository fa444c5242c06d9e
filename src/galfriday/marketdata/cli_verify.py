"""``verify-book FILE``: replay a recorded Kraken book stream and check every checksum.

Mounted by the main CLI as ``galfriday data verify-book``. Exit status 0 means every checksummed
message matched; 1 means at least one did not, or the file held no book data to verify.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from galfriday.marketdata.book_replay import replay_book_file


def register(app: typer.Typer) -> None:
    """Add the ``verify-book`` command to ``app``."""
    app.command("verify-book")(verify_book)


def verify_book(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="Raw Kraken WS book messages: JSON lines, '<ts>: <json>' lines "
            "or a python-kraken-sdk fixture.",
        ),
    ],
    price_decimals: Annotated[
        int | None,
        typer.Option("--price-decimals", min=0, max=18, help="Price precision; default: from the file."),
    ] = None,
    qty_decimals: Annotated[
        int | None,
        typer.Option("--qty-decimals", min=0, max=18, help="Quantity precision; default: from the file."),
    ] = None,
) -> None:
    """Replay FILE through the live order-book code and report matched/mismatched checksums per pair."""
    reports = replay_book_file(file, price_decimals=price_decimals, qty_decimals=qty_decimals)
    if not reports:
        typer.echo(f"{file}: no book messages found; nothing was verified", err=True)
        raise typer.Exit(1)
    failed = False
    for pair in sorted(reports):
        r = reports[pair]
        matched, mismatched = r.verification()
        failed |= mismatched > 0
        typer.echo(
            f"{pair}: matched {matched}, mismatched {mismatched} "
            f"(depth {r.depth}, price {r.price_decimals} dp, qty {r.qty_decimals} dp, "
            f"precision {r.precision_source})"
        )
    if failed:
        typer.echo(
            "checksum mismatches: if every message after the first snapshot fails, the precision is probably "
            "wrong - retry with --price-decimals/--qty-decimals",
            err=True,
        )
        raise typer.Exit(1)

"""``galfriday data download | import | list``: market history from the command line.

The main CLI mounts these with ``register(data_app)``; each command is a thin shell over
``galfriday.marketdata.history`` so everything it does is also callable from code.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from galfriday.core.errors import GalFridayError
from galfriday.kraken.rate_limit import public_rest_limiter
from galfriday.kraken.rest_public import DEFAULT_BASE_URL, KrakenPublicClient
from galfriday.marketdata.history import (
    COLUMN_CONTRACT,
    DEFAULT_ROOT,
    DownloadProgress,
    ImportFormat,
    Kind,
    download_trades,
    import_file,
    list_history,
)
from galfriday.marketdata.history.times import TimeParseError, ns_to_iso, to_ns

EXIT_FAILED = 1

HistoryDir = Annotated[Path, typer.Option("--out", help="History root folder.")]


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(EXIT_FAILED)


def download_command(
    pair: Annotated[str, typer.Option(help="Pair in any Kraken spelling, e.g. XRP/USD, XXRPZUSD, XRPUSD.")],
    since: Annotated[str, typer.Option(help="Start, UTC: 2024-01-01 or 2024-01-01T12:00:00Z.")],
    until: Annotated[str | None, typer.Option(help="End (exclusive), UTC; default: up to now.")] = None,
    out: HistoryDir = DEFAULT_ROOT,
    base_url: Annotated[str, typer.Option(help="Kraken REST base URL (or a simulator).")] = DEFAULT_BASE_URL,
    interval: Annotated[str, typer.Option(help="Bar interval built from the trades.")] = "1m",
    rate: Annotated[float, typer.Option(help="Requests per second (Kraken public limit: ~1).")] = 1.0,
) -> None:
    """Download trades from Kraken REST (resumable: re-run to continue), store Parquet, build bars."""
    try:
        since_ns = to_ns(since)
        until_ns = to_ns(until) if until else None
    except TimeParseError as exc:
        raise _fail(exc) from None

    async def run() -> None:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>5.1f}%"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, transient=False) as progress:
            task = progress.add_task(f"{pair} trades", total=None)

            def on_progress(p: DownloadProgress) -> None:
                span = max(1, p.target_ns - p.start_ns)
                progress.update(
                    task,
                    total=span,
                    completed=min(span, p.covered_ns - p.start_ns),
                    description=f"{pair} {ns_to_iso(p.covered_ns)[:19]} · {p.trades:,} trades",
                )

            async with KrakenPublicClient(base_url, limiter=public_rest_limiter(rate)) as client:
                result = await download_trades(
                    client,
                    pair,
                    since_ns=since_ns,
                    until_ns=until_ns,
                    root=out,
                    interval=interval,
                    on_progress=on_progress,
                )
            progress.update(task, total=1, completed=1)  # caught up (or reached --until)
        resumed = f"resumed at {ns_to_iso(result.start_ns)}" if result.resumed else "fresh start"
        last = ns_to_iso(result.last_trade_ns) if result.last_trade_ns else "-"
        typer.echo(
            f"{result.pair} ({result.rest_pair}): {resumed}; {result.pages} pages, {result.trades} trades "
            f"up to {last}; {result.bars_built} {interval} bars built; stored under {out}"
        )

    try:
        asyncio.run(run())
    except GalFridayError as exc:
        raise _fail(exc) from None


IMPORT_HELP = (
    "Import a history file (Kraken CSV, freqtrade Feather/JSON, Parquet or CSV) into the store. "
    f"{COLUMN_CONTRACT} Duplicates are dropped and counted; any other bad row stops the import "
    "with its row and column named. Imported trades are also turned into bars."
)


def import_command(
    file: Annotated[Path, typer.Argument(help="File to import.", show_default=False)],
    pair: Annotated[str, typer.Option(help="Pair the file holds, WS v2 style: XRP/USD.")],
    fmt: Annotated[ImportFormat, typer.Option("--format", help="File format.")] = ImportFormat.AUTO,
    kind: Annotated[Kind | None, typer.Option(help="trades or candles; default: from the file.")] = None,
    interval: Annotated[
        str | None,
        typer.Option(help="Candles: their interval (default: inferred). Trades: bars to build (1m)."),
    ] = None,
    out: HistoryDir = DEFAULT_ROOT,
) -> None:
    try:
        result = import_file(file, pair=pair, root=out, fmt=fmt, kind=kind, interval=interval)
    except GalFridayError as exc:
        raise _fail(exc) from None
    bars = f"; {result.bars_built} bars built" if result.kind is Kind.TRADES else ""
    typer.echo(
        f"{result.pair} {result.kind} ({result.format}): {result.rows} rows "
        f"{ns_to_iso(result.first_ns)} .. {ns_to_iso(result.last_ns)}, "
        f"{result.duplicates_dropped} duplicates dropped{bars}; stored under {out}"
    )


def list_command(
    directory: Annotated[Path, typer.Option("--dir", help="History root folder.")] = DEFAULT_ROOT,
) -> None:
    """Show what history is stored: pair, kind, interval, first/last timestamp, rows."""
    entries = list_history(directory)
    if not entries:
        typer.echo(f"no history under {directory}; use `data download` or `data import`")
        return
    header = ("pair", "kind", "interval", "first", "last", "rows", "files")
    rows = [
        (
            e.pair,
            str(e.kind),
            e.interval or "-",
            ns_to_iso(e.first_ns),
            ns_to_iso(e.last_ns),
            f"{e.rows:,}",
            str(e.files),
        )
        for e in entries
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


def register(app: typer.Typer) -> None:
    """Add ``download``, ``import`` and ``list`` to ``app`` (mounted as ``galfriday data``)."""
    app.command("download")(download_command)
    app.command("import", help=IMPORT_HELP)(import_command)
    app.command("list")(list_command)

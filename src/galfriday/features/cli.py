"""``galfriday features compute | sets``: feature tables from candle files, and the known sets.

``compute`` writes the input columns followed by one column per feature of the set, named as in the
registry (``rsi_14``, ``macd_12_26_9``, ``macd_signal_12_26_9``, ``bb_upper_20_2``, ...); values a
feature does not have yet (warm-up) are empty. An input column with a feature's name (a file that
went through ``compute`` before) is replaced, with a note. A candle file has no order book and no trades, so
the book and trade features of a set are left out with a note on stderr naming them — use a
bar-only set such as ``bars_v1`` to get every column. The main CLI mounts these with
``register(features_app)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import pyarrow as pa
import typer

from galfriday.features.batch import compute_features
from galfriday.features.candle_files import check_writable, read_table, write_table
from galfriday.features.errors import FeatureError
from galfriday.features.registry import FeatureRegistry

EXIT_FAILED = 1

RegistryOption = Annotated[
    Path | None, typer.Option("--registry", help="Extra feature registry YAML (features.registry_path).")
]


def compute_command(
    input_path: Annotated[
        Path,
        typer.Option(
            "--input",
            "-i",
            help="Candles: CSV, Parquet or Feather with timestamp,open,high,low,close,volume.",
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write: .csv or .parquet.")],
    set_id: Annotated[str, typer.Option("--set", help="Feature set id.")] = "default_v1",
    registry: RegistryOption = None,
) -> None:
    """Compute a feature set over a candle file (timestamps = candle open times)."""
    try:
        check_writable(output)
        feature_set = FeatureRegistry.load(registry).feature_set(set_id)
        table = read_table(input_path)
        result = compute_features(table, feature_set, skip_unavailable=True)
        replaced = [name for name in result.columns if name in table.column_names]
        table = table.drop_columns(replaced)
        for name, values in result.columns.items():
            table = table.append_column(name, pa.array(values, mask=~np.isfinite(values)))
        write_table(table, output)
    except FeatureError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    if replaced:
        typer.echo(
            f"note: replaced input column(s) {', '.join(replaced)} with the computed features", err=True
        )
    if result.skipped:
        typer.echo(
            f"note: skipped {len(result.skipped)} feature(s) that need order-book or trade data, which "
            f"a candle file does not have: {', '.join(result.skipped)} "
            "(use --set bars_v1 for a candle-only set)",
            err=True,
        )
    typer.echo(f"{set_id}: {table.num_rows} rows, {len(result.columns)} features -> {output}")


def sets_command(registry: RegistryOption = None) -> None:
    """List the feature sets: id, fingerprint, what they read, and their features in order."""
    try:
        loaded = FeatureRegistry.load(registry)
    except FeatureError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    for set_id in loaded.set_ids:
        fs = loaded.feature_set(set_id)
        sources = ", ".join(sorted(s.value for s in fs.sources))
        typer.echo(f"{set_id}  fingerprint {fs.fingerprint[:16]}  reads {sources}  {fs.description}")
        typer.echo(f"    {', '.join(fs.names)}")


def register(app: typer.Typer) -> None:
    """Add ``compute`` and ``sets`` to ``app`` (mounted as ``galfriday features``)."""
    app.command("compute")(compute_command)
    app.command("sets")(sets_command)

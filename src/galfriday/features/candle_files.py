"""Reading candle files and writing feature tables: CSV, Parquet or Feather, chosen by extension."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.feather as pa_feather
import pyarrow.parquet as pq

from galfriday.features.errors import FeatureInputError

READABLE = (".csv", ".parquet", ".pq", ".feather", ".arrow")
WRITABLE = (".csv", ".parquet", ".pq")


def read_table(path: Path) -> pa.Table:
    suffix = path.suffix.lower()
    if suffix not in READABLE:
        raise FeatureInputError(f"cannot read {path.name}: use a file ending in {', '.join(READABLE)}")
    try:
        if suffix == ".csv":
            return pa_csv.read_csv(path)
        if suffix in (".feather", ".arrow"):
            return pa_feather.read_table(path)
        return pq.read_table(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise FeatureInputError(f"cannot read {path}: {exc}") from None


def check_writable(path: Path) -> None:
    if path.suffix.lower() not in WRITABLE:
        raise FeatureInputError(f"cannot write {path.name}: use a file ending in {', '.join(WRITABLE)}")


def write_table(table: pa.Table, path: Path) -> None:
    check_writable(path)
    try:
        if path.suffix.lower() == ".csv":
            pa_csv.write_csv(table, path)
        else:
            pq.write_table(table, path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise FeatureInputError(f"cannot write {path}: {exc}") from None

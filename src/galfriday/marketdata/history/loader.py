"""Load stored candles fast: ``load_candles(path_or_dir, pair, start, end) -> pyarrow.Table``.

Reads the monthly Parquet files with ``pyarrow.dataset`` and pushes the time filter down to the
row-group statistics, so loading a slice of years of 1 m candles touches only the files and row
groups it needs. Columns are CANDLES_SCHEMA (exact ``decimal128`` prices; cast to float64 in
research code if needed).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds

from galfriday.marketdata.bars import parse_interval
from galfriday.marketdata.history.layout import HistoryError, HistoryLayout
from galfriday.marketdata.history.schema import CANDLES_SCHEMA, TIMESTAMP
from galfriday.marketdata.history.store import sort_by_time
from galfriday.marketdata.history.times import to_ns, utc_month

TimeLike = datetime | int | str
_MONTH_FILE = re.compile(r"^\d{4}-\d{2}$")


def _candle_files(path: Path, pair: str, interval: str) -> list[Path]:
    if path.is_file():
        return [path]
    if (path / "candles").is_dir():
        path = HistoryLayout(path).candles_dir(pair, parse_interval(interval))
    if not path.is_dir():
        raise HistoryError(
            f"no {interval} candles for {pair} at {path}; import or download them first (galfriday data list)"
        )
    return sorted(p for p in path.rglob("*.parquet") if not p.name.startswith("."))


def _months_overlapping(files: list[Path], start_ns: int | None, end_ns: int | None) -> list[Path]:
    """Skip monthly files (``YYYY-MM.parquet``) entirely outside ``[start, end)`` without opening them."""
    lo = utc_month(start_ns) if start_ns is not None else None
    hi = utc_month(end_ns - 1) if end_ns is not None else None
    return [
        f
        for f in files
        if not _MONTH_FILE.match(f.stem)
        or not ((lo is not None and f.stem < lo) or (hi is not None and f.stem > hi))
    ]


def load_candles(
    path_or_dir: Path | str,
    pair: str,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    *,
    interval: str = "1m",
) -> pa.Table:
    """Candles of ``pair`` with ``start <= timestamp < end`` (UTC; None = unbounded), in time order.

    ``path_or_dir`` is a history root (``var/history``), a folder of candle Parquet files, or one
    file. ``pair`` and ``interval`` pick the folder inside a history root.
    """
    start_ns = to_ns(start) if start is not None else None
    end_ns = to_ns(end) if end is not None else None
    files = _months_overlapping(_candle_files(Path(path_or_dir), pair, interval), start_ns, end_ns)
    if not files:
        return CANDLES_SCHEMA.empty_table()
    dataset = ds.dataset([str(f) for f in files], schema=CANDLES_SCHEMA, format="parquet")
    ts = ds.field("timestamp")
    condition = None
    if start_ns is not None:
        condition = ts >= pa.scalar(start_ns, pa.int64()).cast(TIMESTAMP)
    if end_ns is not None:
        upper = ts < pa.scalar(end_ns, pa.int64()).cast(TIMESTAMP)
        condition = upper if condition is None else condition & upper
    table = dataset.to_table(filter=condition)
    return sort_by_time(table) if table.num_rows else table

"""What history is stored (``galfriday data list``): per pair, kind and interval, the span and rows.

Reads only Parquet footers (row counts and the timestamp column's min/max statistics), so listing
years of history is instant.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pyarrow.parquet as pq

from galfriday.marketdata.bars import parse_interval
from galfriday.marketdata.history.layout import DEFAULT_ROOT, pair_of_file
from galfriday.marketdata.history.schema import Kind


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    pair: str
    kind: Kind
    interval: str  # "" for trades
    first_ns: int
    last_ns: int
    rows: int
    files: int


def _span_and_rows(path: Path) -> tuple[int, int, int]:
    meta = pq.ParquetFile(path).metadata
    col = meta.schema.names.index("timestamp")
    lows: list[int] = []
    highs: list[int] = []
    for i in range(meta.num_row_groups):
        stats = meta.row_group(i).column(col).statistics
        if stats is None or not stats.has_min_max:
            ts = pq.read_table(path, columns=["timestamp"]).column("timestamp").cast("int64")
            return ts[0].as_py(), ts[-1].as_py(), meta.num_rows
        lows.append(stats.min_raw)  # raw int64 ns: .min would convert to a µs datetime
        highs.append(stats.max_raw)
    return (min(lows), max(highs), meta.num_rows) if lows else (0, 0, 0)


def _entry(files: list[Path], kind: Kind, interval: str, default_pair: str) -> HistoryEntry | None:
    spans = [_span_and_rows(p) for p in files]
    spans = [s for s in spans if s[2]]
    if not spans:
        return None
    return HistoryEntry(
        pair=pair_of_file(files[0], default_pair),
        kind=kind,
        interval=interval,
        first_ns=min(s[0] for s in spans),
        last_ns=max(s[1] for s in spans),
        rows=sum(s[2] for s in spans),
        files=len(spans),
    )


def _parquet_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.parquet") if not p.name.startswith("."))


def list_history(root: Path = DEFAULT_ROOT) -> list[HistoryEntry]:
    """One entry per (pair, trades) and (pair, candles, interval), sorted by pair, kind, interval."""
    root = Path(root)
    entries: list[HistoryEntry] = []
    for pair_dir in sorted((root / "trades").glob("*/")):
        files = _parquet_files(pair_dir)
        if files and (e := _entry(files, Kind.TRADES, "", pair_dir.name.replace("_", "/"))):
            entries.append(e)
    for interval_dir in sorted((root / "candles").glob("*/*/")):
        files = _parquet_files(interval_dir)
        default = interval_dir.parent.name.replace("_", "/")
        if files and (e := _entry(files, Kind.CANDLES, interval_dir.name, default)):
            entries.append(e)
    entries.sort(key=lambda e: (e.pair, e.kind, parse_interval(e.interval) if e.interval else 0))
    return entries

"""Where history lives on disk, and writing it so a crash never leaves a half-written file.

Layout under the root (default ``var/history``)::

    trades/<PAIR>/<YYYY-MM-DD>.parquet          one UTC day of trades, sorted by time
    trades/<PAIR>/_download.json                resume cursor of ``download``
    candles/<PAIR>/<interval>/<YYYY-MM>.parquet one UTC month of candles ("1m", "5m", "1h" ...)

``<PAIR>`` is the WS v2 name with "/" replaced by "_" ("XRP/USD" -> "XRP_USD"); the exact pair
name is also kept in each file's metadata. Daily trade files keep rewrites small while a download
is running; monthly candle files keep a year of 1 m bars in 12 files so loading is fast.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from galfriday.core.errors import GalFridayError
from galfriday.marketdata.bars import format_interval

DEFAULT_ROOT = Path("var/history")
PAIR_METADATA_KEY = b"galfriday.pair"
_SAFE_PAIR = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]*(/[A-Za-z0-9][A-Za-z0-9.\-]*)?$")


class HistoryError(GalFridayError):
    """History cannot be read, written or imported; the message names the file and what to fix."""


def pair_slug(pair: str) -> str:
    """'XRP/USD' -> 'XRP_USD' (safe as a folder name)."""
    if not _SAFE_PAIR.match(pair):
        raise HistoryError(f"pair {pair!r} is not a name like 'XRP/USD' (letters, digits, '.', '-')")
    return pair.replace("/", "_")


class HistoryLayout:
    """Paths of one history root."""

    def __init__(self, root: Path = DEFAULT_ROOT) -> None:
        self.root = Path(root)

    def trades_dir(self, pair: str) -> Path:
        return self.root / "trades" / pair_slug(pair)

    def trades_day_file(self, pair: str, day: str) -> Path:
        return self.trades_dir(pair) / f"{day}.parquet"

    def cursor_file(self, pair: str) -> Path:
        return self.trades_dir(pair) / "_download.json"

    def candles_dir(self, pair: str, interval_s: int) -> Path:
        return self.root / "candles" / pair_slug(pair) / format_interval(interval_s)

    def candles_month_file(self, pair: str, interval_s: int, month: str) -> Path:
        return self.candles_dir(pair, interval_s) / f"{month}.parquet"


def write_parquet_atomic(table: pa.Table, path: Path, pair: str) -> None:
    """Write to a temporary file and rename over ``path``: readers see the old or the new file.

    Dictionary encoding only for text columns: prices and volumes are nearly all distinct, and
    dictionary-encoded decimals read back ~1.5x slower (measured in bench/bench_bars.py).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = dict(table.schema.metadata or {})
    metadata[PAIR_METADATA_KEY] = pair.encode()
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as f:
        text_columns = [fl.name for fl in table.schema if pa.types.is_string(fl.type)]
        pq.write_table(
            table.replace_schema_metadata(metadata),
            f,
            compression="zstd",
            use_dictionary=text_columns or False,
        )
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_parquet(path: Path, schema: pa.Schema) -> pa.Table:
    try:
        return pq.read_table(path, schema=schema)
    except (OSError, pa.ArrowInvalid) as exc:
        raise HistoryError(
            f"{path}: cannot read stored history ({exc}); delete the file and re-import"
        ) from exc


def pair_of_file(path: Path, default: str) -> str:
    """The exact pair name stored in a history file's metadata, else ``default``."""
    raw = (pq.read_schema(path).metadata or {}).get(PAIR_METADATA_KEY)
    return raw.decode() if raw else default


def write_json_atomic(data: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)

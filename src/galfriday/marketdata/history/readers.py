"""Read history files of every supported format into a raw table with the contract's column names.

Formats (``ImportFormat``):
- ``kraken-trades-csv``: Kraken "Time and Sales" download, no header: ``unix_ts,price,volume``;
- ``kraken-ohlcvt-csv``: Kraken OHLCVT download, no header: ``time,open,high,low,close,volume,trades``;
- ``freqtrade-feather``: freqtrade candles (``date,open,high,low,close,volume``) or trades
  (``timestamp,id,type,side,price,amount,cost``) in Feather/Arrow IPC;
- ``freqtrade-json``: freqtrade ``.json``/``.json.gz`` rows, candles ``[ms, o, h, l, c, v]`` or
  trades ``[ms, id, type, side, price, amount, cost]``;
- ``parquet`` / ``csv`` (with a header): the column contract of ``importers``, with the aliases
  below so freqtrade and Kraken column names work too.

Text is read as text (CSV numbers are not parsed here) so that ``normalize`` converts it exactly.
"""

from __future__ import annotations

import csv
import gzip
import json
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.feather as feather
import pyarrow.parquet as pq

from galfriday.marketdata.history.layout import HistoryError
from galfriday.marketdata.history.schema import Kind


class ImportFormat(StrEnum):
    AUTO = "auto"
    KRAKEN_TRADES_CSV = "kraken-trades-csv"
    KRAKEN_OHLCVT_CSV = "kraken-ohlcvt-csv"
    FREQTRADE_FEATHER = "freqtrade-feather"
    FREQTRADE_JSON = "freqtrade-json"
    PARQUET = "parquet"
    CSV = "csv"


# contract name <- accepted other names, in order of preference
ALIASES: dict[Kind, dict[str, tuple[str, ...]]] = {
    Kind.TRADES: {
        "timestamp": ("time", "date", "datetime"),
        "qty": ("amount", "volume", "quantity"),
        "trade_id": ("id",),
        "ord_type": ("type",),
    },
    Kind.CANDLES: {
        "timestamp": ("date", "time", "open_time", "datetime"),
        "trade_count": ("trades", "count"),
    },
}

_KRAKEN_TRADES_COLUMNS = ["timestamp", "price", "qty"]
_KRAKEN_OHLCVT_COLUMNS = ["timestamp", "open", "high", "low", "close", "volume", "trade_count"]
_FREQTRADE_TRADES_COLUMNS = ["timestamp", "trade_id", "ord_type", "side", "price", "qty", "cost"]
_FREQTRADE_CANDLES_COLUMNS = ["timestamp", "open", "high", "low", "close", "volume"]


class RawHistory(NamedTuple):
    table: pa.Table
    kind: Kind
    format: ImportFormat
    line_offset: int | None  # file line = row + offset (CSV only)


def detect_format(path: Path) -> ImportFormat:
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        return ImportFormat.PARQUET
    if name.endswith((".feather", ".arrow", ".ipc")):
        return ImportFormat.FREQTRADE_FEATHER
    if name.endswith((".json", ".json.gz")):
        return ImportFormat.FREQTRADE_JSON
    if name.endswith(".csv"):
        with path.open(encoding="utf-8", newline="") as f:
            first = next(csv.reader(f), [])
        if not first:
            raise HistoryError(f"{path}: the file is empty")
        try:
            Decimal(first[0])
        except ArithmeticError:
            return ImportFormat.CSV  # a header line
        by_width = {3: ImportFormat.KRAKEN_TRADES_CSV, 7: ImportFormat.KRAKEN_OHLCVT_CSV}
        if len(first) in by_width:
            return by_width[len(first)]
        raise HistoryError(
            f"{path}: a headerless CSV with {len(first)} columns is neither Kraken trades (3) nor "
            "OHLCVT (7); add a header with the contract's column names and use --format csv"
        )
    raise HistoryError(f"{path}: cannot tell the format from the file name; pass --format")


def _read_csv(path: Path, names: list[str] | None) -> pa.Table:
    if names is None:
        with path.open(encoding="utf-8", newline="") as f:
            header = next(csv.reader(f), [])
        read_options = pacsv.ReadOptions()
        column_types = {n: pa.string() for n in header}
    else:
        read_options = pacsv.ReadOptions(column_names=names)
        column_types = {n: pa.string() for n in names}
    try:
        return pacsv.read_csv(
            path, read_options=read_options, convert_options=pacsv.ConvertOptions(column_types=column_types)
        )
    except pa.ArrowInvalid as exc:
        raise HistoryError(f"{path}: not a well-formed CSV ({exc})") from exc


def _read_freqtrade_json(path: Path) -> tuple[pa.Table, Kind]:
    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        try:
            rows = json.load(f, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise HistoryError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], list):
        raise HistoryError(f"{path}: expected a non-empty JSON list of rows like freqtrade writes")
    width = len(rows[0])
    names = {6: _FREQTRADE_CANDLES_COLUMNS, 7: _FREQTRADE_TRADES_COLUMNS}.get(width)
    if names is None:
        raise HistoryError(f"{path}: rows have {width} fields; freqtrade candles have 6, trades 7")
    for i, row in enumerate(rows):
        if len(row) != width:
            raise HistoryError(f"{path}: row {i + 1} has {len(row)} fields, row 1 has {width}")
    columns: dict[str, pa.Array] = {}
    for j, name in enumerate(names):
        values = [row[j] for row in rows]
        if name == "timestamp":
            columns[name] = pa.array(values, pa.int64())
        else:
            columns[name] = pa.array([None if v is None else str(v) for v in values], pa.string())
    return pa.table(columns), Kind.CANDLES if width == 6 else Kind.TRADES


def _infer_kind(table: pa.Table, path: Path) -> Kind:
    names = set(table.column_names)
    if {"open", "high", "low", "close"} <= names:
        return Kind.CANDLES
    if "price" in names:
        return Kind.TRADES
    raise HistoryError(f"{path}: cannot tell trades from candles by the columns {sorted(names)}; pass --kind")


def apply_aliases(table: pa.Table, kind: Kind) -> pa.Table:
    """Rename accepted other names to the contract names (only where the contract name is absent)."""
    names = list(table.column_names)
    for target, sources in ALIASES[kind].items():
        if target in names:
            continue
        for source in sources:
            if source in names:
                names[names.index(source)] = target
                break
    return table.rename_columns(names)


def read_history_file(
    path: Path, fmt: ImportFormat = ImportFormat.AUTO, kind: Kind | None = None
) -> RawHistory:
    if not path.is_file():
        raise HistoryError(f"{path}: no such file")
    fmt = detect_format(path) if fmt is ImportFormat.AUTO else fmt
    line_offset: int | None = None
    fixed_kind: Kind | None = None
    if fmt is ImportFormat.KRAKEN_TRADES_CSV:
        table, fixed_kind, line_offset = _read_csv(path, _KRAKEN_TRADES_COLUMNS), Kind.TRADES, 0
    elif fmt is ImportFormat.KRAKEN_OHLCVT_CSV:
        table, fixed_kind, line_offset = _read_csv(path, _KRAKEN_OHLCVT_COLUMNS), Kind.CANDLES, 0
    elif fmt is ImportFormat.CSV:
        table, line_offset = _read_csv(path, None), 1
    elif fmt is ImportFormat.FREQTRADE_JSON:
        table, fixed_kind = _read_freqtrade_json(path)
    elif fmt is ImportFormat.FREQTRADE_FEATHER:
        table = feather.read_table(path)
    else:
        table = pq.read_table(path)
    if fixed_kind is not None and kind is not None and kind is not fixed_kind:
        raise HistoryError(f"{path}: format {fmt} holds {fixed_kind}, not {kind}")
    resolved = kind or fixed_kind or _infer_kind(table, path)
    return RawHistory(apply_aliases(table, resolved), resolved, fmt, line_offset)

"""Import history files into the store (``galfriday data import``).

Column contract for Parquet and CSV (CSV needs a header line):

  candles: timestamp, open, high, low, close, volume  [+ vwap, trade_count]
  trades:  timestamp, price, qty                      [+ side, trade_id, ord_type]

- timestamp: UTC, as epoch seconds, milliseconds or nanoseconds (told apart by magnitude), as
  ISO-8601 text (no offset = UTC) or as an Arrow timestamp; a candle's timestamp is its OPEN time;
- prices, quantities, volume, vwap: decimal text (exact), integers, decimals or floats (via their
  shortest repr, rounded to 18 decimals); prices > 0, qty > 0, volume >= 0;
- side: buy/sell (or b/s); ord_type: limit/market (or l/m); trade_id: any text;
- also accepted: date/time for timestamp, amount/volume for a trade's qty, id for trade_id,
  type for ord_type, trades/count for trade_count (freqtrade's and Kraken's names).
Rows must be in time order. Duplicates (same trade_id; candles with the same timestamp) are
dropped and counted; every other problem stops the import with the row and column named.

Imported trades are also turned into bars (1 m unless ``interval`` says otherwise).
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pyarrow.compute as pc

from galfriday.marketdata.bars import parse_interval
from galfriday.marketdata.history.layout import DEFAULT_ROOT, HistoryLayout, pair_slug
from galfriday.marketdata.history.normalize import normalize_candles, normalize_trades
from galfriday.marketdata.history.readers import ImportFormat, read_history_file
from galfriday.marketdata.history.schema import Kind, timestamps_ns
from galfriday.marketdata.history.store import rebuild_candles, write_candles, write_trades

COLUMN_CONTRACT = (
    "Parquet/CSV columns (CSV with a header). candles: timestamp, open, high, low, close, volume "
    "[+ vwap, trade_count]; trades: timestamp, price, qty [+ side, trade_id, ord_type]. "
    "timestamp = UTC epoch s/ms/ns or ISO-8601 (candles: open time); rows sorted by time."
)


class ImportResult(msgspec.Struct, frozen=True, kw_only=True):
    source: str
    pair: str
    kind: Kind
    format: ImportFormat
    rows: int  # rows stored (after dropping duplicates)
    duplicates_dropped: int
    interval_s: int  # candle interval (candles) or the interval of the bars built (trades)
    first_ns: int
    last_ns: int
    bars_built: int = 0


def import_file(
    path: Path,
    *,
    pair: str,
    root: Path = DEFAULT_ROOT,
    fmt: ImportFormat = ImportFormat.AUTO,
    kind: Kind | None = None,
    interval: str | None = None,
) -> ImportResult:
    """Validate ``path`` and merge it into the store under ``root``; nothing is written on error."""
    pair_slug(pair)  # reject an unusable pair name before reading anything
    raw = read_history_file(Path(path), fmt, kind)
    layout = HistoryLayout(root)
    source = str(path)
    bars_built = 0
    if raw.kind is Kind.TRADES:
        table, dropped = normalize_trades(raw.table, source, raw.line_offset)
        interval_s = parse_interval(interval or "1m")
        days = write_trades(layout, pair, table)
        bars_built = rebuild_candles(layout, pair, {d[:7] for d in days}, interval_s)
    else:
        given = parse_interval(interval) if interval else None
        table, dropped, interval_s = normalize_candles(raw.table, source, raw.line_offset, given)
        write_candles(layout, pair, interval_s, table)
    ts = timestamps_ns(table)
    return ImportResult(
        source=source,
        pair=pair,
        kind=raw.kind,
        format=raw.format,
        rows=table.num_rows,
        duplicates_dropped=dropped,
        interval_s=interval_s,
        first_ns=pc.min(ts).as_py() if len(ts) else 0,
        last_ns=pc.max(ts).as_py() if len(ts) else 0,
        bars_built=bars_built,
    )

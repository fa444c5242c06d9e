"""Merge new history into the partitioned Parquet store, and rebuild candles from stored trades.

Merging rules (so re-running an import or a download never duplicates anything):
- trades with ids on both sides: union by ``trade_id``;
- trades without ids (e.g. Kraken's CSV, where two real trades can share second, price and
  volume): the incoming rows replace the stored rows in their ``[first, last]`` time span;
- candles: incoming rows replace stored rows with the same timestamp, or, when candles were
  rebuilt from trades, every stored row inside the rebuilt span.
Each partition is rewritten atomically (``layout.write_parquet_atomic``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from galfriday.marketdata.bars import BarBuildResult, build_bars
from galfriday.marketdata.history.layout import (
    HistoryError,
    HistoryLayout,
    read_parquet,
    write_parquet_atomic,
)
from galfriday.marketdata.history.schema import (
    CANDLES_SCHEMA,
    TRADES_SCHEMA,
    bars_to_table,
    timestamps_ns,
)
from galfriday.marketdata.history.times import NS_PER_S

logger = logging.getLogger(__name__)

SECONDS_PER_DAY = 86_400


def sort_by_time(table: pa.Table) -> pa.Table:
    """Stable sort by timestamp (rows with equal timestamps keep their order)."""
    ts = timestamps_ns(table)
    if len(ts) < 2 or pc.all(pc.greater_equal(ts[1:], ts[:-1])).as_py():
        return table
    return table.take(pc.sort_indices(ts))


def _outside_span(table: pa.Table, lo: int, hi: int) -> pa.Table:
    ts = timestamps_ns(table)
    return table.filter(pc.or_(pc.less(ts, lo), pc.greater(ts, hi)))


def merge_trades(existing: pa.Table | None, incoming: pa.Table) -> pa.Table:
    if existing is None or existing.num_rows == 0:
        return sort_by_time(incoming)
    if incoming.num_rows == 0:
        return existing
    ids_in, ids_ex = incoming.column("trade_id"), existing.column("trade_id")
    if ids_in.null_count == 0 and ids_ex.null_count == 0:
        incoming = incoming.filter(pc.invert(pc.is_in(ids_in, value_set=ids_ex.combine_chunks())))
    else:
        ts = timestamps_ns(incoming)
        existing = _outside_span(existing, pc.min(ts).as_py(), pc.max(ts).as_py())
    return sort_by_time(pa.concat_tables([existing, incoming]))


def merge_candles(
    existing: pa.Table | None, incoming: pa.Table, replace_span: tuple[int, int] | None
) -> pa.Table:
    if existing is None or existing.num_rows == 0:
        return sort_by_time(incoming)
    if replace_span is not None:
        existing = _outside_span(existing, *replace_span)
    else:
        same = pc.is_in(timestamps_ns(existing), value_set=timestamps_ns(incoming))
        existing = existing.filter(pc.invert(same))
    return sort_by_time(pa.concat_tables([existing, incoming]))


def _partitions(table: pa.Table, fmt: str) -> dict[str, pa.Table]:
    """Split a table by a strftime key of its timestamp (day or month), keeping row order.

    Sorted first, so each key is one contiguous run: slicing is O(rows) whatever the number of
    partitions (a decade of trades has thousands of days).
    """
    table = sort_by_time(table)
    if table.num_rows == 0:
        return {}
    runs = pc.run_end_encode(pc.strftime(table.column("timestamp").combine_chunks(), format=fmt))
    out: dict[str, pa.Table] = {}
    start = 0
    for end, key in zip(runs.run_ends.to_pylist(), runs.values.to_pylist(), strict=True):
        out[key] = table.slice(start, end - start)
        start = end
    return out


def write_trades(layout: HistoryLayout, pair: str, table: pa.Table) -> list[str]:
    """Merge trades into their daily files; returns the days ('YYYY-MM-DD') written."""
    days = _partitions(table, "%Y-%m-%d")
    for day, part in sorted(days.items()):
        path = layout.trades_day_file(pair, day)
        existing = read_parquet(path, TRADES_SCHEMA) if path.exists() else None
        write_parquet_atomic(merge_trades(existing, part), path, pair)
    return sorted(days)


def write_candles(
    layout: HistoryLayout,
    pair: str,
    interval_s: int,
    table: pa.Table,
    replace_span: tuple[int, int] | None = None,
) -> list[str]:
    """Merge candles into their monthly files; returns the months ('YYYY-MM') written."""
    months = _partitions(table, "%Y-%m")
    for month, part in sorted(months.items()):
        path = layout.candles_month_file(pair, interval_s, month)
        existing = read_parquet(path, CANDLES_SCHEMA) if path.exists() else None
        write_parquet_atomic(merge_candles(existing, part, replace_span), path, pair)
    return sorted(months)


def read_trades(layout: HistoryLayout, pair: str, pattern: str = "*") -> pa.Table:
    """Stored trades of the daily files matching ``pattern`` (e.g. '2024-01-*'), in time order."""
    files = sorted(
        p for p in layout.trades_dir(pair).glob(f"{pattern}.parquet") if not p.name.startswith(".")
    )
    if not files:
        return TRADES_SCHEMA.empty_table()
    return pa.concat_tables([read_parquet(p, TRADES_SCHEMA) for p in files])


def bars_from_trade_table(pair: str, trades: pa.Table, interval_s: int) -> BarBuildResult:
    """The batch bar builder over a TRADES_SCHEMA table."""
    ids = trades.column("trade_id")
    return build_bars(
        pair,
        timestamps_ns(trades).to_pylist(),
        trades.column("price").to_pylist(),
        trades.column("qty").to_pylist(),
        trade_ids=ids.to_pylist() if ids.null_count < len(ids) else None,
        interval_s=interval_s,
    )


def rebuild_candles(
    layout: HistoryLayout,
    pair: str,
    months: Iterable[str],
    interval_s: int,
    complete_before_ns: int | None = None,
) -> int:
    """Rebuild the candles of ``months`` from the stored trades; returns the rows written.

    Only intervals that end at or before ``complete_before_ns`` are built, so a download that
    stopped mid-interval does not store a partial bar (the next run rebuilds it complete).
    Stored trades are validated, sorted and deduplicated, so a quality finding here means the
    store was edited by hand: it is logged.
    """
    if SECONDS_PER_DAY % interval_s:
        raise HistoryError(f"bars from trades need an interval that divides a day; {interval_s} s does not")
    interval_ns = interval_s * NS_PER_S
    rows = 0
    for month in sorted(set(months)):
        trades = read_trades(layout, pair, f"{month}-*")
        if complete_before_ns is not None:
            limit = complete_before_ns - complete_before_ns % interval_ns
            trades = trades.filter(pc.less(timestamps_ns(trades), limit))
        if trades.num_rows == 0:
            continue
        result = bars_from_trade_table(pair, trades, interval_s)
        if not result.quality.clean:
            logger.warning("stored trades of %s %s are not clean: %s", pair, month, result.quality)
        table = bars_to_table(result.bars)
        span = (result.bars[0].open_time_ns, result.bars[-1].open_time_ns)
        write_candles(layout, pair, interval_s, table, replace_span=span)
        rows += table.num_rows
    return rows

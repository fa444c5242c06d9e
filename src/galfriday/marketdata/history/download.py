"""Download a pair's trades from Kraken REST into the store, resumably, then build bars.

Kraken's Trades endpoint pages forward with a nanosecond cursor (``since`` = previous ``last``,
exclusive). We store each page's trades in the daily Parquet files and only *then* save the
cursor (``trades/<PAIR>/_download.json``), both atomically. So after any interruption — an
error, Ctrl-C, a killed process — the saved cursor never runs ahead of the stored trades: a
re-run resumes from it with no gap, and any page fetched twice merges by ``trade_id`` with no
duplicate.

``until`` trims the last page; the cursor then stays before that page, so a later run with a
later ``until`` fetches it again and keeps what it skipped. Bars are rebuilt for the months the
run touched, only up to the last interval known to be complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa

from galfriday.kraken.rest_public import KrakenPublicClient, PublicTrade
from galfriday.kraken.symbols import SymbolMap
from galfriday.marketdata.bars import parse_interval
from galfriday.marketdata.history.layout import (
    DEFAULT_ROOT,
    HistoryError,
    HistoryLayout,
    write_json_atomic,
)
from galfriday.marketdata.history.schema import DECIMAL, TIMESTAMP, TRADES_SCHEMA
from galfriday.marketdata.history.store import rebuild_candles, write_trades
from galfriday.marketdata.history.times import ns_to_iso, utc_month


class DownloadProgress(msgspec.Struct, frozen=True, kw_only=True):
    start_ns: int  # where this run started (the resume point)
    target_ns: int  # ``until``, or the time the run started when there is no ``until``
    covered_ns: int  # time of the newest trade fetched so far
    pages: int
    trades: int


class DownloadResult(msgspec.Struct, frozen=True, kw_only=True):
    pair: str
    rest_pair: str
    start_ns: int
    resumed: bool
    cursor: int  # saved cursor at the end of the run
    pages: int
    trades: int  # trades fetched and stored by this run (before merging)
    last_trade_ns: int | None
    bars_built: int


class _State(msgspec.Struct, kw_only=True):
    """The resume cursor file: the stored range is contiguous from ``first_ns`` to ``cursor``."""

    pair: str
    rest_pair: str
    first_ns: int
    cursor: int
    updated: str = ""


def trades_to_table(trades: Sequence[PublicTrade]) -> pa.Table:
    return pa.table(
        [
            pa.array([t.time_ns for t in trades], pa.int64()).cast(TIMESTAMP),
            pa.array([t.price for t in trades], DECIMAL),
            pa.array([t.volume for t in trades], DECIMAL),
            pa.array([t.side.value for t in trades], pa.string()),
            pa.array([None if t.trade_id is None else str(t.trade_id) for t in trades], pa.string()),
            pa.array([t.ord_type or None for t in trades], pa.string()),
        ],
        schema=TRADES_SCHEMA,
    )


def _read_state(path: Path) -> _State | None:
    if not path.exists():
        return None
    try:
        return msgspec.json.decode(path.read_bytes(), type=_State)
    except msgspec.DecodeError as exc:
        raise HistoryError(
            f"{path}: unreadable download cursor ({exc}); delete it to start that pair over"
        ) from exc


def _months_between(first_ns: int, last_ns: int) -> list[str]:
    first, last = utc_month(first_ns), utc_month(last_ns)
    months = [first]
    year, month = int(first[:4]), int(first[5:])
    while months[-1] < last:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        months.append(f"{year:04d}-{month:02d}")
    return months


async def download_trades(
    client: KrakenPublicClient,
    pair: str,
    *,
    since_ns: int,
    until_ns: int | None = None,
    root: Path = DEFAULT_ROOT,
    interval: str = "1m",
    flush_every_pages: int = 10,
    on_progress: Callable[[DownloadProgress], Any] | None = None,
) -> DownloadResult:
    """Fetch trades of ``pair`` (any spelling AssetPairs knows) from ``since_ns`` up to ``until_ns``
    (exclusive; None = until caught up with the present) into ``root``, then build bars."""
    if until_ns is not None and until_ns <= since_ns:
        raise HistoryError(f"--until ({ns_to_iso(until_ns)}) must be after --since ({ns_to_iso(since_ns)})")
    interval_s = parse_interval(interval)
    names = SymbolMap.from_asset_pairs(await client.asset_pairs()).names(pair)
    layout = HistoryLayout(root)
    state_path = layout.cursor_file(names.ws_name)
    state = _read_state(state_path)
    # Kraken documents ``last`` as an id to pass back; in practice it is the ns time of the last
    # trade, which is what makes "is --since inside the stored range" answerable.
    resumed = bool(state and state.rest_pair == names.rest_id and state.first_ns <= since_ns <= state.cursor)
    if state is not None and resumed:
        start, first_ns = state.cursor, state.first_ns
    else:
        start, first_ns = since_ns, since_ns
    target = until_ns if until_ns is not None else time.time_ns()

    buffer: list[PublicTrade] = []
    cursor = saved_cursor = start
    pages = fetched = 0
    first_fetched: int | None = None
    last_stored: int | None = None
    reached_until = False

    def flush() -> None:
        nonlocal saved_cursor, last_stored
        if buffer:
            write_trades(layout, names.ws_name, trades_to_table(buffer))
            last_stored = buffer[-1].time_ns
            buffer.clear()
        if cursor != saved_cursor:
            write_json_atomic(
                msgspec.to_builtins(
                    _State(
                        pair=names.ws_name,
                        rest_pair=names.rest_id,
                        first_ns=first_ns,
                        cursor=cursor,
                        updated=ns_to_iso(time.time_ns()),
                    )
                ),
                state_path,
            )
            saved_cursor = cursor

    try:
        async for page in client.iter_trades(names.rest_id, start, until_ns):
            pages += 1
            kept = page.trades if until_ns is None else [t for t in page.trades if t.time_ns < until_ns]
            buffer.extend(kept)
            fetched += len(kept)
            if first_fetched is None and kept:
                first_fetched = kept[0].time_ns
            if len(kept) < len(page.trades):
                reached_until = True  # keep the cursor before this page: a later run needs its rest
            else:
                cursor = page.last
            if on_progress is not None:
                on_progress(
                    DownloadProgress(
                        start_ns=start,
                        target_ns=target,
                        covered_ns=page.trades[-1].time_ns,
                        pages=pages,
                        trades=fetched,
                    )
                )
            if pages % flush_every_pages == 0:
                flush()
    finally:
        flush()
        bars = 0
        if last_stored is not None and first_fetched is not None:
            # From the resume point: the previous run left its last, incomplete interval unbuilt.
            rebuild_from = start if resumed else first_fetched
            complete_before = until_ns if reached_until and until_ns is not None else last_stored
            bars = rebuild_candles(
                layout, names.ws_name, _months_between(rebuild_from, last_stored), interval_s, complete_before
            )
    return DownloadResult(
        pair=names.ws_name,
        rest_pair=names.rest_id,
        start_ns=start,
        resumed=resumed,
        cursor=saved_cursor,
        pages=pages,
        trades=fetched,
        last_trade_ns=last_stored,
        bars_built=bars,
    )

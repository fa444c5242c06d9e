"""Market-data files as replay sources: candles -> ``BarClosed``, trades -> ``MarketTradeReceived``.

The conversion itself is ``sim.replay``'s (``CandleFile``/``TradeFile``: timestamp aliases, unit
inference, exact decimals, rounding to the instrument's tick and lot), so a backtest reads a file
exactly as the paper replay and the exchange simulator do. Those read Parquet; other formats
(CSV, Feather/Arrow) and the history store's monthly files are first normalised here — column names
lower-cased, an unnamed index column (pandas' ``to_csv``) taken as the timestamp — and handed over
as a temporary Parquet file that is read once and deleted. The temporary file keeps the source's
name, because the replay derives its event ids from it (same file, same ids, every run).

What a file holds is told by its columns: ``close`` means candles, ``price`` means trades.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

from galfriday.backtest.errors import BacktestError
from galfriday.core.instruments import Instrument
from galfriday.features.candle_files import READABLE, read_table
from galfriday.features.errors import FeatureInputError
from galfriday.marketdata.history.loader import load_candles
from galfriday.sim.errors import SimError
from galfriday.sim.replay import CandleFile, TradeFile

_TIME_ALIASES = ("timestamp", "date", "time")
_INDEX_NAMES = ("", "index", "__index_level_0__", "unnamed: 0")

Source = CandleFile | TradeFile
_S = TypeVar("_S", CandleFile, TradeFile)


def open_file(path: Path, pair: str, instrument: Instrument) -> Source:
    """A candle or trade file of ``pair`` as a replay source (see the module docstring); a candle
    file's bar interval is its most common step between rows."""
    table = _normalised(_read(path))
    if "close" in table.column_names:
        return _candles(table, path.stem, pair, instrument, None)
    if "price" in table.column_names:
        return _through_parquet(table, path.stem, lambda p: TradeFile(p, pair, instrument=instrument))
    raise BacktestError(
        f"{path}: neither candles (open, high, low, close, volume) nor trades (price, qty) — it has "
        f"{table.column_names}; rename the columns or convert the file"
    )


def open_history(
    root: Path,
    pair: str,
    instrument: Instrument,
    *,
    interval_s: int,
    start_ns: int | None = None,
    end_ns: int | None = None,
) -> CandleFile:
    """Candles of ``pair`` from a history store (``backtest.data_path``), only ``[start, end)``."""
    table = load_candles(root, pair, start_ns, end_ns, interval=f"{interval_s}s")
    if not table.num_rows:
        raise BacktestError(
            f"no {interval_s}s candles for {pair} in {root} in the requested window; list what is stored "
            "with `galfriday data list` and import or download the rest"
        )
    return _candles(table, f"history-{pair.replace('/', '_')}-{interval_s}s", pair, instrument, interval_s)


def _read(path: Path) -> pa.Table:
    if not path.is_file():
        raise BacktestError(f"{path}: no such file; give a candle/trade file or a history folder")
    if path.suffix.lower() not in READABLE:
        raise BacktestError(f"{path.name}: unsupported file type; use one of {', '.join(READABLE)}")
    try:
        return read_table(path)
    except FeatureInputError as exc:
        raise BacktestError(str(exc)) from None


def _normalised(table: pa.Table) -> pa.Table:
    names = [name.strip().lower() for name in table.column_names]
    if not any(alias in names for alias in _TIME_ALIASES):
        names = ["timestamp" if name in _INDEX_NAMES else name for name in names]
    return table.rename_columns(names)


def _candles(
    table: pa.Table, stem: str, pair: str, instrument: Instrument, interval_s: int | None
) -> CandleFile:
    return _through_parquet(
        table, stem, lambda path: CandleFile(path, pair, interval_s=interval_s, instrument=instrument)
    )


def _through_parquet(table: pa.Table, stem: str, build: Callable[[Path], _S]) -> _S:
    with tempfile.TemporaryDirectory(prefix="galfriday-backtest-") as folder:
        path = Path(folder) / f"{stem}.parquet"
        pq.write_table(table, path)
        try:
            return build(path)
        except SimError as exc:
            raise BacktestError(str(exc).replace(str(path), f"{stem}")) from None

"""Candle tables as the columns feature computation needs: open time in epoch ns, OHLCV as float64.

Accepts a pyarrow Table or a mapping of array-likes with the columns ``timestamp, open, high, low,
close, volume`` (``time`` and ``date`` are accepted for ``timestamp``, as written by Kraken's OHLC
endpoint and freqtrade). The timestamp is the bar's *open* time, as epoch seconds, milliseconds,
microseconds or nanoseconds (told apart by magnitude), an Arrow/numpy datetime, or ISO-8601 text
(UTC when no offset is given). Rows must be in strictly increasing time order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from galfriday.features.errors import FeatureInputError
from galfriday.features.indicators import typical_prices

OHLCV = ("open", "high", "low", "close", "volume")
TIME_ALIASES = ("timestamp", "time", "date")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# An epoch number below 1e11 is seconds (until year 5138), below 1e14 milliseconds, below 1e17 µs.
_UNIT_SCALE = ((1e11, 1_000_000_000), (1e14, 1_000_000), (1e17, 1_000))
_NS_PER_UNIT = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


@dataclass(frozen=True)
class CandleColumns:
    open_time_ns: np.ndarray  # int64
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    @cached_property
    def typical(self) -> np.ndarray:
        return typical_prices(self.high, self.low, self.close)

    def series(self, name: str | None) -> np.ndarray:
        """A bar series by name: an OHLCV column or ``typical``."""
        if name == "typical" or name in OHLCV:
            return getattr(self, name)
        raise KeyError(f"unknown bar series {name!r}")


def candle_columns(data: pa.Table | Mapping[str, Any]) -> CandleColumns:
    """Validate and convert a candle table; FeatureInputError says what is wrong with it."""
    names = list(data.column_names if isinstance(data, pa.Table) else data.keys())
    lowered = {n.lower(): n for n in names}
    time_name = next((lowered[a] for a in TIME_ALIASES if a in lowered), None)
    missing = [c for c in OHLCV if c not in lowered]
    if time_name is None:
        missing.insert(0, "timestamp")
    if missing:
        raise FeatureInputError(
            f"candles lack column(s) {', '.join(missing)}; expected timestamp (or time/date), "
            f"{', '.join(OHLCV)}; found {', '.join(names) or 'none'}"
        )
    assert time_name is not None

    def column(name: str) -> Any:
        return data.column(name) if isinstance(data, pa.Table) else data[name]

    ts = to_epoch_ns(column(time_name))
    values = {}
    for name in OHLCV:
        try:
            values[name] = _float_column(column(lowered[name]))
        except (TypeError, ValueError, pa.ArrowInvalid) as exc:
            raise FeatureInputError(f"candle column {name!r} is not numeric: {exc}") from None
        bad = ~np.isfinite(values[name])
        if bad.any():
            raise FeatureInputError(
                f"candle column {name!r} has {int(bad.sum())} empty or non-finite value(s), first at row "
                f"{int(np.argmax(bad))}; fill or drop those rows first"
            )
    if len(ts) > 1:
        steps = np.diff(ts)
        if (steps <= 0).any():
            row = int(np.argmax(steps <= 0)) + 1
            raise FeatureInputError(
                f"candle timestamps must strictly increase; row {row} is not after row {row - 1} "
                "(sort the file and drop duplicate candles)"
            )
    return CandleColumns(ts, **values)


def _float_column(values: Any) -> np.ndarray:
    if isinstance(values, pa.ChunkedArray | pa.Array):
        values = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError("expected a one-dimensional column")
    return array


def to_epoch_ns(values: Any) -> np.ndarray:
    """Epoch ns (int64) from epoch numbers of any unit, datetimes or ISO-8601 text."""
    if isinstance(values, pa.ChunkedArray | pa.Array):
        if values.null_count:
            raise FeatureInputError("the timestamp column has empty values; drop those rows first")
        kind = values.type
        if pa.types.is_timestamp(kind):
            raw = pc.cast(values, pa.int64()).to_numpy(zero_copy_only=False)
            return raw * _NS_PER_UNIT[kind.unit]
        values = values.to_pylist() if pa.types.is_string(kind) else values.to_numpy(zero_copy_only=False)
    array = np.asarray(values)
    if np.issubdtype(array.dtype, np.datetime64):
        return array.astype("datetime64[ns]").view(np.int64)
    if array.dtype.kind in "OUS":
        return np.array([_iso_ns(str(v)) for v in array.tolist()], dtype=np.int64)
    if array.dtype.kind not in "iuf":
        raise FeatureInputError(
            f"cannot read timestamps of type {array.dtype}; use epoch numbers or ISO-8601"
        )
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise FeatureInputError("the timestamp column has empty or non-finite values; drop those rows first")
    biggest = float(np.abs(array).max()) if len(array) else 0.0
    scale = next((s for limit, s in _UNIT_SCALE if biggest < limit), 1)
    if array.dtype.kind == "f":
        return np.round(array * scale).astype(np.int64)
    return array.astype(np.int64) * scale


def _iso_ns(text: str) -> int:
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        raise FeatureInputError(
            f"timestamp {text!r} is neither epoch digits nor ISO-8601 (e.g. 2024-01-01T00:00:00Z)"
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000

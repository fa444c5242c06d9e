"""Validate imported columns and convert them to the stored schemas, naming every bad row.

Input: a table whose columns already carry the contract names (``timestamp``, ``price``,
``qty`` ... see ``importers``). Output: a TRADES_SCHEMA / CANDLES_SCHEMA table, or an
``ImportValidationError`` listing the first problems as ``row N (line L), column 'c': what``.
Rows are numbered from 1 among data rows; ``line`` is the file line when the source is a CSV.

Checked: missing values, NaN/infinite, numbers that are not numbers, non-positive prices and
quantities (negative candle volume), high/low inconsistent with open/close, timestamps going
backwards, candles off their interval grid. Duplicates (same ``trade_id``; candles with the same
timestamp) are not errors: the first is kept, the rest dropped and counted.

Exactness: text and integer inputs convert exactly; binary floats (Feather/JSON from pandas)
convert through their shortest repr (0.1 -> 0.1, not 0.1000000000000000055...) and are rounded to
18 decimals when they have more.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from galfriday.marketdata.history.layout import HistoryError
from galfriday.marketdata.history.schema import CANDLES_SCHEMA, DECIMAL, TIMESTAMP, TRADES_SCHEMA
from galfriday.marketdata.history.times import NS_PER_DAY, NS_PER_S, datetime_to_ns

_MAX_PROBLEMS = 20
_QUANTUM = Decimal(1).scaleb(-DECIMAL.scale)
_ZERO = pa.scalar(Decimal(0), DECIMAL)
_NUMERIC_TEXT = r"^\s*-?\d+(\.\d+)?\s*$"
_SIDES = {"buy": "BUY", "b": "BUY", "sell": "SELL", "s": "SELL"}
_ORD_TYPES = {"limit": "limit", "l": "limit", "market": "market", "m": "market"}


class Problem(NamedTuple):
    row: int  # 1-based data row
    column: str
    message: str


class ImportValidationError(HistoryError):
    """The file has rows that cannot be imported; ``problems`` lists them."""

    def __init__(self, source: str, problems: list[Problem], line_offset: int | None) -> None:
        self.problems = problems
        shown = "\n".join(
            f"  row {p.row}{f' (line {p.row + line_offset})' if line_offset is not None else ''}, "
            f"column '{p.column}': {p.message}"
            for p in problems[:_MAX_PROBLEMS]
        )
        more = f"\n  ... and {len(problems) - _MAX_PROBLEMS} more" if len(problems) > _MAX_PROBLEMS else ""
        super().__init__(
            f"{source}: {len(problems)} problem(s), nothing was imported:\n{shown}{more}\n"
            "Fix or remove these rows and import again."
        )


class _Checker:
    """Collects problems while converting columns; raises them all at the end."""

    def __init__(self, table: pa.Table, source: str) -> None:
        self.table = table
        self.source = source
        self.problems: list[Problem] = []

    def add(self, rows: np.ndarray | list[int], column: str, message: str) -> None:
        for row in list(rows)[:_MAX_PROBLEMS]:
            self.problems.append(Problem(int(row) + 1, column, message))

    def add_where(self, mask: pa.Array, column: str, message: str) -> None:
        if pc.any(mask).as_py():
            self.add(np.flatnonzero(mask.to_numpy(zero_copy_only=False)), column, message)

    def column(self, name: str) -> pa.Array:
        return self.table.column(name).combine_chunks()

    def require(self, *names: str) -> None:
        missing = [n for n in names if n not in self.table.column_names]
        if missing:
            raise HistoryError(
                f"{self.source}: missing column(s) {missing}; found {self.table.column_names}. "
                "See the column contract in `galfriday data import --help`."
            )

    # -- conversions ----------------------------------------------------------------------------

    def nulls(self, arr: pa.Array, name: str) -> None:
        if arr.null_count:
            self.add_where(pc.is_null(arr), name, "missing value")

    def decimal(self, name: str, *, required: bool = True) -> pa.Array:
        """A decimal column; ``required=False``: missing values are allowed (become null)."""
        arr = self.column(name)
        if required:
            self.nulls(arr, name)
        t = arr.type
        if pa.types.is_floating(t):
            before = len(self.problems)
            self.add_where(pc.fill_null(pc.is_nan(arr), False), name, "NaN")
            self.add_where(pc.fill_null(pc.is_inf(arr), False), name, "infinite")
            if len(self.problems) > before:
                return pa.nulls(len(arr), DECIMAL)
            try:
                return pc.cast(pc.cast(arr, pa.string()), DECIMAL)
            except pa.ArrowInvalid:  # more than 18 decimals: round, the float was inexact anyway
                return pa.array([_round_float(v) for v in arr.to_pylist()], DECIMAL)
        if pa.types.is_integer(t):
            return pc.cast(arr, DECIMAL)
        if pa.types.is_decimal(t):
            try:
                return pc.cast(arr, DECIMAL)
            except pa.ArrowInvalid:
                return self._scan_decimals(arr.to_pylist(), name)
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            text = pc.utf8_trim_whitespace(arr)
            empty = pc.fill_null(pc.equal(text, ""), False)
            if pc.any(empty).as_py():
                if required:
                    self.add_where(empty, name, "missing value")
                text = pc.if_else(empty, pa.scalar(None, text.type), text)
            try:
                return pc.cast(text, DECIMAL)
            except pa.ArrowInvalid:
                return self._scan_decimals(text.to_pylist(), name)
        self.add([0], name, f"type {t} is not a number; expected decimal text, integer or float")
        return pa.nulls(len(arr), DECIMAL)

    def _scan_decimals(self, values: list[object], name: str) -> pa.Array:
        """Find the rows a vectorised cast refused; the others still get checked downstream."""
        out: list[Decimal | None] = []
        for i, v in enumerate(values):
            d = None
            if v is None:
                problem = None
            else:
                try:
                    d = Decimal(str(v))
                except InvalidOperation:
                    problem = f"not a number ({v!r})"
                else:
                    problem = _decimal_problem(d, v)
            if problem is not None:
                self.add([i], name, problem)
                d = None
            out.append(d)
        return pa.array(out, DECIMAL)

    def optional_decimal(self, name: str) -> pa.Array:
        if name not in self.table.column_names:
            return pa.nulls(self.table.num_rows, DECIMAL)
        arr = self.decimal(name, required=False)
        self.positive(arr, name)
        return arr

    def optional_count(self, name: str) -> pa.Array:
        """A non-negative integer column (e.g. trade_count); all null when absent."""
        if name not in self.table.column_names:
            return pa.nulls(self.table.num_rows, pa.int64())
        arr = self.column(name)
        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            text = pc.utf8_trim_whitespace(arr)
            arr = pc.if_else(pc.fill_null(pc.equal(text, ""), False), pa.scalar(None, text.type), text)
        try:
            counts = pc.cast(arr, pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # e.g. "3.0" or "3.5": row by row
            values: list[int | None] = []
            for i, v in enumerate(arr.to_pylist()):
                whole = _whole_number(v)
                if v is not None and whole is None:
                    self.add([i], name, f"{v!r} is not a whole number")
                values.append(whole)
            counts = pa.array(values, pa.int64())
        self.add_where(pc.fill_null(pc.less(counts, 0), False), name, "negative")
        return counts

    def positive(self, arr: pa.Array, name: str, *, allow_zero: bool = False) -> None:
        bad = pc.less(arr, _ZERO) if allow_zero else pc.less_equal(arr, _ZERO)
        self.add_where(
            pc.fill_null(bad, False), name, "negative" if allow_zero else "not positive (must be > 0)"
        )

    def timestamps(self) -> np.ndarray:
        arr = self.column("timestamp")
        self.nulls(arr, "timestamp")
        if arr.null_count:
            return np.zeros(len(arr), np.int64)
        ns = self._timestamps_ns(arr)
        backwards = np.flatnonzero(ns[1:] < ns[:-1]) + 1
        if len(backwards):
            self.add(
                backwards, "timestamp", "earlier than the previous row (unsorted); sort the file by time"
            )
        return ns

    def _timestamps_ns(self, arr: pa.Array) -> np.ndarray:
        t = arr.type
        if pa.types.is_timestamp(t):
            factor = {"s": NS_PER_S, "ms": 1_000_000, "us": 1_000, "ns": 1}[t.unit]
            return pc.cast(arr, pa.int64()).to_numpy() * factor
        if pa.types.is_date32(t):
            return pc.cast(arr, pa.int32()).to_numpy().astype(np.int64) * NS_PER_DAY
        if pa.types.is_integer(t):
            return _epoch_to_ns(pc.cast(arr, pa.int64()).to_numpy())
        if pa.types.is_floating(t):
            before = len(self.problems)
            self.add_where(pc.fill_null(pc.is_nan(arr), False), "timestamp", "NaN")
            if len(self.problems) > before:
                return np.zeros(len(arr), np.int64)
            return _epoch_decimals_to_ns([Decimal(repr(v)) for v in arr.to_pylist()])
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            return self._text_timestamps(pc.utf8_trim_whitespace(arr))
        self.add([0], "timestamp", f"type {t} is not a time; expected epoch s/ms/ns or ISO-8601")
        return np.zeros(len(arr), np.int64)

    def _text_timestamps(self, arr: pa.Array) -> np.ndarray:
        if pc.all(pc.match_substring_regex(arr, _NUMERIC_TEXT)).as_py():
            try:
                return _epoch_to_ns(pc.cast(arr, pa.int64()).to_numpy())
            except pa.ArrowInvalid:
                return _epoch_decimals_to_ns([Decimal(v) for v in arr.to_pylist()])
        for target in (TIMESTAMP, pa.timestamp("ns")):  # all with an offset, or all naive (= UTC)
            try:
                return pc.cast(pc.cast(arr, target), pa.int64()).to_numpy()
            except pa.ArrowInvalid:
                continue
        out = np.zeros(len(arr), np.int64)
        for i, v in enumerate(arr.to_pylist()):
            try:
                out[i] = _parse_iso(v)
            except ValueError:
                self.add([i], "timestamp", f"{v!r} is neither epoch s/ms/ns nor ISO-8601")
                if len(self.problems) >= _MAX_PROBLEMS:
                    break
        return out

    def text(self, name: str, mapping: dict[str, str] | None = None) -> pa.Array:
        """An optional text column (all null when absent), optionally mapped to canonical values."""
        if name not in self.table.column_names:
            return pa.nulls(self.table.num_rows, pa.string())
        arr = pc.cast(self.column(name), pa.string())
        if mapping is None:
            return arr
        values = arr.to_pylist()
        out: list[str | None] = []
        for i, v in enumerate(values):
            if v is None or v.strip() == "":
                out.append(None)
            elif (mapped := mapping.get(v.strip().lower())) is not None:
                out.append(mapped)
            else:
                self.add([i], name, f"{v!r} is not one of {sorted(set(mapping.values()))}")
                out.append(None)
        return pa.array(out, pa.string())

    def raise_if_any(self, line_offset: int | None) -> None:
        if self.problems:
            self.problems.sort()
            raise ImportValidationError(self.source, self.problems, line_offset)


def _decimal_problem(d: Decimal, original: object) -> str | None:
    if d.is_nan():
        return "NaN"
    if not d.is_finite():
        return "infinite"
    if d != d.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN):
        return f"{original} has more than {DECIMAL.scale} decimal places"
    return None


def _whole_number(value: object) -> int | None:
    if value is None:
        return None
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return int(d) if d.is_finite() and d == d.to_integral_value() else None


def _round_float(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)


def _epoch_unit_factor(max_abs: float) -> int:
    """Seconds, ms, µs or ns, judged by magnitude (valid for dates 1973..5138)."""
    if max_abs < 1e11:
        return NS_PER_S
    if max_abs < 1e14:
        return 1_000_000
    if max_abs < 1e17:
        return 1_000
    return 1


def _epoch_to_ns(values: np.ndarray) -> np.ndarray:
    if len(values) == 0:
        return values.astype(np.int64)
    return values.astype(np.int64) * _epoch_unit_factor(float(np.abs(values).max()))


def _epoch_decimals_to_ns(values: list[Decimal]) -> np.ndarray:
    if not values:
        return np.zeros(0, np.int64)
    factor = _epoch_unit_factor(float(max(abs(v) for v in values)))
    return np.array([int((v * factor).to_integral_value(ROUND_HALF_EVEN)) for v in values], np.int64)


def _parse_iso(text: str | None) -> int:
    if text is None:
        raise ValueError("missing")
    return datetime_to_ns(datetime.fromisoformat(text))


def _drop(table: pa.Table, drop: np.ndarray) -> pa.Table:
    return table.filter(pa.array(~drop)) if drop.any() else table


def normalize_trades(raw: pa.Table, source: str, line_offset: int | None = None) -> tuple[pa.Table, int]:
    """Raw trade columns -> (TRADES_SCHEMA table, duplicates dropped)."""
    chk = _Checker(raw, source)
    chk.require("timestamp", "price", "qty")
    ts = chk.timestamps()
    price = chk.decimal("price")
    qty = chk.decimal("qty")
    chk.positive(price, "price")
    chk.positive(qty, "qty")
    side = chk.text("side", _SIDES)
    ord_type = chk.text("ord_type", _ORD_TYPES)
    trade_id = chk.text("trade_id")
    chk.raise_if_any(line_offset)
    table = pa.table(
        [pa.array(ts, pa.int64()).cast(TIMESTAMP), price, qty, side, trade_id, ord_type], schema=TRADES_SCHEMA
    )
    drop = np.zeros(table.num_rows, bool)
    if trade_id.null_count < len(trade_id):
        seen: set[str] = set()
        for i, tid in enumerate(trade_id.to_pylist()):
            if tid is not None:
                drop[i] = tid in seen
                seen.add(tid)
    return _drop(table, drop), int(drop.sum())


def infer_interval_s(ts_ns: np.ndarray) -> int | None:
    """The smallest step between consecutive candles (gaps are multiples of it)."""
    steps = np.diff(ts_ns)
    steps = steps[steps > 0]
    return int(steps.min() // NS_PER_S) if len(steps) else None


def normalize_candles(
    raw: pa.Table, source: str, line_offset: int | None = None, interval_s: int | None = None
) -> tuple[pa.Table, int, int]:
    """Raw candle columns -> (CANDLES_SCHEMA table, duplicates dropped, interval in seconds)."""
    chk = _Checker(raw, source)
    chk.require("timestamp", "open", "high", "low", "close", "volume")
    ts = chk.timestamps()
    o, h, lo, c = (chk.decimal(n) for n in ("open", "high", "low", "close"))
    volume = chk.decimal("volume")
    for name, arr in (("open", o), ("high", h), ("low", lo), ("close", c)):
        chk.positive(arr, name)
    chk.positive(volume, "volume", allow_zero=True)
    if not chk.problems:
        chk.add_where(pc.less(h, lo), "high", "high is below low")
        chk.add_where(pc.or_(pc.less(h, o), pc.less(h, c)), "high", "high is below open or close")
        chk.add_where(pc.or_(pc.greater(lo, o), pc.greater(lo, c)), "low", "low is above open or close")
    vwap = chk.optional_decimal("vwap")
    counts = chk.optional_count("trade_count")
    interval = interval_s if interval_s is not None else infer_interval_s(ts)
    if interval is None:
        chk.raise_if_any(line_offset)
        raise HistoryError(f"{source}: cannot infer the candle interval from one row; pass --interval")
    off_grid = np.flatnonzero(ts % (interval * NS_PER_S))
    if len(off_grid):
        chk.add(
            off_grid, "timestamp", f"not on the {interval} s grid (a candle's timestamp is its open time)"
        )
    chk.raise_if_any(line_offset)
    table = pa.table(
        [pa.array(ts, pa.int64()).cast(TIMESTAMP), o, h, lo, c, volume, vwap, counts], schema=CANDLES_SCHEMA
    )
    drop = np.zeros(len(ts), bool)
    drop[1:] = ts[1:] == ts[:-1]
    return _drop(table, drop), int(drop.sum()), interval

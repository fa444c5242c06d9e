"""``DuckDBStore``: the embedded default time-series store, one DuckDB file (or ``:memory:``).

One table per measurement: ``time`` (BIGINT, ns UTC — exact, unlike a Python datetime), one
VARCHAR column per tag, one typed column per field. Fields whose names vary (order-book levels,
features, per-pair positions) get their column the first time they are written, so every value is
a plain column to SQL and the dashboard. Batches are inserted through Arrow in one transaction:
a failed batch leaves nothing behind and can be retried without duplicates.

DuckDB calls block, so they run on one dedicated thread (which also serialises use of the
connection); the event loop never waits on disk.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa

from galfriday.core.errors import StorageError
from galfriday.storage.timeseries.errors import StoreUnavailableError, WriteRejectedError
from galfriday.storage.timeseries.point import Point
from galfriday.storage.timeseries.query_spec import QuerySpec
from galfriday.storage.timeseries.schema import (
    MEASUREMENTS,
    TIME_COLUMN,
    FieldKind,
    Measurement,
    retention_days,
)

DEFAULT_PATH = Path("var/timeseries.duckdb")
NS_PER_DAY = 86_400 * 10**9

_SQL_TYPES: dict[FieldKind, str] = {float: "DOUBLE", int: "BIGINT", bool: "BOOLEAN", str: "VARCHAR"}
_ARROW_TYPES: dict[FieldKind, pa.DataType] = {
    float: pa.float64(),
    int: pa.int64(),
    bool: pa.bool_(),
    str: pa.string(),
}

T = TypeVar("T")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class DuckDBStore:
    """Time series in a DuckDB file; ``apply_retention`` deletes what the retention policy expired."""

    def __init__(
        self, path: str | Path = DEFAULT_PATH, *, retention: Mapping[str, int] | None = None
    ) -> None:
        self.path = str(path)
        self.retention_days = retention_days(retention)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con: duckdb.DuckDBPyConnection | None = duckdb.connect(self.path)
        except duckdb.Error as exc:
            raise StorageError(
                f"cannot open the DuckDB time-series file {self.path}: {exc}; "
                "check the path (timeseries.duckdb_path) and that no other process holds it open"
            ) from exc
        self._columns: dict[str, dict[str, None]] = {}  # table -> its columns, in table order
        for schema in MEASUREMENTS.values():
            self._create_table(schema)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="duckdb-timeseries")

    # -- TimeSeriesStore ---------------------------------------------------------------------

    async def write(self, point: Point) -> None:
        await self.write_many((point,))

    async def write_many(self, points: Iterable[Point]) -> None:
        batch = [p for p in points if p.fields]
        if batch:
            await self._run(self._insert, batch)

    async def query(
        self,
        measurement: str,
        *,
        tags: Mapping[str, str] | None = None,
        start_ns: int | None = None,
        end_ns: int | None = None,
        fields: Sequence[str] | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[Point]:
        spec = QuerySpec.build(
            measurement,
            tags=tags,
            start_ns=start_ns,
            end_ns=end_ns,
            fields=fields,
            limit=limit,
            newest_first=newest_first,
        )
        return await self._run(self._select, spec)

    async def flush(self) -> None:
        await self._run(lambda con: con.execute("CHECKPOINT"))

    async def close(self) -> None:
        if self._con is None:
            return
        await self.flush()
        con, self._con = self._con, None
        await asyncio.get_running_loop().run_in_executor(self._executor, con.close)
        self._executor.shutdown(wait=True)

    # -- retention ---------------------------------------------------------------------------

    async def apply_retention(self, now_ns: int) -> dict[str, int]:
        """Delete rows older than each measurement's retention; returns rows deleted per measurement."""
        return await self._run(self._delete_expired, now_ns)

    def _delete_expired(self, con: duckdb.DuckDBPyConnection, now_ns: int) -> dict[str, int]:
        deleted = {}
        for name, schema in MEASUREMENTS.items():
            cutoff = now_ns - self.retention_days[schema.retention] * NS_PER_DAY
            row = con.execute(f"DELETE FROM {_ident(name)} WHERE {_ident(TIME_COLUMN)} < ?", [cutoff])
            deleted[name] = row.fetchone()[0]
        return deleted

    # -- internals (run on the DuckDB thread) ------------------------------------------------

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._con is None:
            raise StorageError("the DuckDB time-series store is closed; create a new one")
        call = functools.partial(fn, self._con, *args)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def _create_table(self, schema: Measurement) -> None:
        assert self._con is not None
        columns = [f"{_ident(TIME_COLUMN)} BIGINT NOT NULL"]
        columns += [f"{_ident(t)} VARCHAR NOT NULL" for t in schema.required_tags]
        columns += [f"{_ident(t)} VARCHAR" for t in schema.optional_tags]
        columns += [f"{_ident(f)} {_SQL_TYPES[k]}" for f, k in schema.fields.items()]
        table = _ident(schema.name)
        self._con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(columns)})")
        self._load_columns(self._con, schema.name)

    def _load_columns(self, con: duckdb.DuckDBPyConnection, table: str) -> None:
        rows = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = ? ORDER BY column_index",
            [table],
        ).fetchall()
        self._columns[table] = dict.fromkeys(r[0] for r in rows)

    def _insert(self, con: duckdb.DuckDBPyConnection, points: list[Point]) -> None:
        groups: dict[str, list[Point]] = {}
        for p in points:
            groups.setdefault(p.measurement, []).append(p)
        try:
            con.begin()
            for name, group in groups.items():
                self._insert_group(con, MEASUREMENTS[name], group)
            con.commit()
        except duckdb.Error as exc:
            con.rollback()
            for name in groups:  # columns added inside the rolled-back transaction are gone
                self._load_columns(con, name)
            if isinstance(exc, duckdb.IOException):
                raise StoreUnavailableError(f"DuckDB could not write {self.path}: {exc}") from exc
            raise WriteRejectedError(f"DuckDB rejected a batch of {len(points)} points: {exc}") from exc

    def _insert_group(self, con: duckdb.DuckDBPyConnection, schema: Measurement, group: list[Point]) -> None:
        values = [p.fields for p in group]
        kinds: dict[str, FieldKind] = {}
        for name in dict.fromkeys(itertools.chain.from_iterable(values)):
            kind = schema.field_kind(name)
            assert kind is not None  # Point validated it
            kinds[name] = kind
        table = _ident(schema.name)
        known = self._columns[schema.name]
        for name in [n for n in kinds if n not in known]:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {_ident(name)} {_SQL_TYPES[kinds[name]]}")
            known[name] = None
        columns: dict[str, pa.Array] = {TIME_COLUMN: pa.array([p.ts_ns for p in group], type=pa.int64())}
        for tag in schema.required_tags + schema.optional_tags:
            columns[tag] = pa.array([p.tags.get(tag) for p in group], type=pa.string())
        # Row tuples transposed into columns: the fastest pure-Python route to Arrow here.
        by_column = zip(*[tuple(map(row.get, kinds)) for row in values], strict=True)
        for (name, kind), column in zip(kinds.items(), by_column, strict=True):
            columns[name] = pa.array(column, type=_ARROW_TYPES[kind])
        con.register("_galfriday_batch", pa.table(columns))
        try:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _galfriday_batch")
        finally:
            con.unregister("_galfriday_batch")

    def _select(self, con: duckdb.DuckDBPyConnection, spec: QuerySpec) -> list[Point]:
        schema = spec.schema
        present = self._columns[schema.name]
        tag_names = [*schema.required_tags, *schema.optional_tags]
        if spec.fields is None:
            field_names = [c for c in present if c != TIME_COLUMN and c not in schema.all_tags]
        else:
            field_names = [f for f in spec.fields if f in present]
        if not field_names:
            return []
        where, params = [], []
        for tag, value in spec.tags.items():
            where.append(f"{_ident(tag)} = ?")
            params.append(value)
        if spec.start_ns is not None:
            where.append(f"{_ident(TIME_COLUMN)} >= ?")
            params.append(spec.start_ns)
        if spec.end_ns is not None:
            where.append(f"{_ident(TIME_COLUMN)} < ?")
            params.append(spec.end_ns)
        where.append("(" + " OR ".join(f"{_ident(f)} IS NOT NULL" for f in field_names) + ")")
        order = "DESC" if spec.newest_first else "ASC"
        sql = (
            f"SELECT {', '.join(_ident(c) for c in [TIME_COLUMN, *tag_names, *field_names])} "
            f"FROM {_ident(schema.name)} WHERE {' AND '.join(where)} "
            f"ORDER BY {_ident(TIME_COLUMN)} {order}, rowid {order}"
        )
        if spec.limit is not None:
            sql += f" LIMIT {int(spec.limit)}"
        n_tags = len(tag_names)
        points = []
        for row in con.execute(sql, params).fetchall():
            tags = {t: v for t, v in zip(tag_names, row[1 : 1 + n_tags], strict=True) if v is not None}
            values = {f: v for f, v in zip(field_names, row[1 + n_tags :], strict=True) if v is not None}
            points.append(Point.read_back(schema.name, tags, values, row[0]))
        return points

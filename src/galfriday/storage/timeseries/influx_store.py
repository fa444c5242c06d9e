"""``InfluxStore``: InfluxDB over its HTTP line-protocol API, 1.x or v2.

- 1.x: ``POST /write?db=&rp=&precision=ns`` (HTTP basic auth when a user is configured) and
  ``POST /query`` (InfluxQL) for reads and for creating the database and one retention policy per
  retention group (``market_data`` 90 d, ``predictions`` 30 d, ``metrics`` 7 d by default). Each
  point goes to its measurement's policy, so InfluxDB itself expires old data.
- v2: ``POST /api/v2/write?org=&bucket=&precision=ns`` with ``Authorization: Token …``. A v2
  bucket has one retention period, set when the bucket is created; reads are not implemented.

Every response is classified for the buffered writer: unreachable, timed out, 408/429/5xx →
``StoreUnavailableError`` (retry; ``Retry-After`` honoured); anything else refused →
``WriteRejectedError`` (don't). The store itself does not buffer: a write returns once InfluxDB
acknowledged it, so ``flush`` has nothing to do.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import aiohttp

from galfriday.core.errors import ConfigError, StorageError
from galfriday.storage.timeseries.errors import StoreUnavailableError, WriteRejectedError
from galfriday.storage.timeseries.influxql import (
    points_from_response,
    quote_ident,
    select_statement,
    statement_error,
)
from galfriday.storage.timeseries.line_protocol import encode_points
from galfriday.storage.timeseries.point import Point
from galfriday.storage.timeseries.query_spec import QuerySpec
from galfriday.storage.timeseries.schema import MEASUREMENTS, RetentionGroup, retention_days

_PARTIAL_WRITE_DROPPED = re.compile(r"partial write.*dropped=(\d+)", re.DOTALL)


class InfluxStore:
    """Writes (and, on 1.x, reads) the six measurements on an InfluxDB server."""

    def __init__(
        self,
        url: str = "http://localhost:8086",
        *,
        api_version: str = "v1",
        database: str = "galfriday",
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        org: str | None = None,
        bucket: str = "galfriday",
        retention: Mapping[str, int] | None = None,
        timeout_s: float = 10.0,
        gzip_body: bool = False,
        max_lines_per_request: int = 5000,
    ) -> None:
        if api_version not in ("v1", "v2"):
            raise ConfigError(f"influxdb.api_version must be 'v1' or 'v2', got {api_version!r}")
        if api_version == "v2" and not (token and org):
            raise ConfigError("InfluxDB v2 needs influxdb.token and influxdb.org; set both or use v1")
        if (username is None) != (password is None):
            raise ConfigError("influxdb.username and influxdb.password must be given together")
        self.url = url.rstrip("/")
        self.api_version = api_version
        self.database = database
        self.bucket = bucket
        self.org = org
        self.retention_days = retention_days(retention)
        self._token = token
        self._auth = aiohttp.BasicAuth(username, password or "") if username is not None else None
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._gzip = gzip_body
        self._max_lines = max_lines_per_request
        self._session: aiohttp.ClientSession | None = None
        self._closed = False
        self._schema_ready = api_version == "v2"  # v2 buckets are created by the operator
        self._schema_lock = asyncio.Lock()

    # -- TimeSeriesStore ---------------------------------------------------------------------

    async def write(self, point: Point) -> None:
        await self.write_many((point,))

    async def write_many(self, points: Iterable[Point]) -> None:
        groups: dict[RetentionGroup | None, list[Point]] = {}
        for p in points:
            if p.fields:
                group = MEASUREMENTS[p.measurement].retention if self.api_version == "v1" else None
                groups.setdefault(group, []).append(p)
        if not groups:
            return
        await self.ensure_schema()
        for group, batch in groups.items():
            for start in range(0, len(batch), self._max_lines):
                await self._post_lines(group, encode_points(batch[start : start + self._max_lines]))

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
        if self.api_version != "v1":
            raise StorageError(
                "reading through the InfluxDB v2 API is not implemented; query the bucket with Flux "
                "in the InfluxDB UI, or use the embedded DuckDB store for the dashboard"
            )
        await self.ensure_schema()
        statement = select_statement(spec, self.database, spec.schema.retention.value)
        return points_from_response(spec, await self.influxql(statement))

    async def flush(self) -> None:
        """Nothing to do: every write returned only after InfluxDB acknowledged it."""

    async def close(self) -> None:
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- 1.x administration ------------------------------------------------------------------

    async def ensure_schema(self) -> None:
        """1.x: create the database and one retention policy per group (idempotent; durations
        follow the configuration). Runs before the first write or query, and again after InfluxDB
        reports the database missing."""
        if self._schema_ready:
            return
        async with self._schema_lock:
            if self._schema_ready:
                return
            db = quote_ident(self.database)
            error = statement_error(await self.influxql(f"CREATE DATABASE {db}"))
            if error:
                raise WriteRejectedError(
                    f"InfluxDB refused to create database {self.database!r}: {error}; "
                    "the user needs admin rights (or create the database yourself)"
                )
            for group, days in self.retention_days.items():
                policy = f"{quote_ident(group.value)} ON {db} DURATION {days}d"
                error = statement_error(
                    await self.influxql(f"CREATE RETENTION POLICY {policy} REPLICATION 1")
                )
                if error and "already exists" in error:  # possibly with another duration: follow the config
                    error = statement_error(await self.influxql(f"ALTER RETENTION POLICY {policy}"))
                if error:
                    raise WriteRejectedError(f"InfluxDB refused retention policy {group.value!r}: {error}")
            self._schema_ready = True

    async def influxql(self, statement: str) -> dict[str, Any]:
        """Run one InfluxQL statement on the 1.x ``/query`` endpoint; the decoded JSON answer.

        An error InfluxDB reports inside a 200 answer is left in it (see ``statement_error``).
        """
        data = {"q": statement, "db": self.database, "epoch": "ns"}
        status, body, headers = await self._request("POST", "/query", data=data)
        if status != 200:
            raise _classify(status, body, headers, what="query")
        return json.loads(body)

    # -- HTTP --------------------------------------------------------------------------------

    async def _post_lines(self, group: RetentionGroup | None, body: bytes) -> None:
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        if self._gzip:
            body = gzip.compress(body, compresslevel=1)
            headers["Content-Encoding"] = "gzip"
        if self.api_version == "v1":
            assert group is not None
            path = "/write"
            params = {"db": self.database, "rp": group.value, "precision": "ns"}
        else:
            path = "/api/v2/write"
            params = {"org": self.org or "", "bucket": self.bucket, "precision": "ns"}
        status, text, response_headers = await self._request(
            "POST", path, params=params, data=body, headers=headers
        )
        if status == 204:
            return
        if status == 404 and self.api_version == "v1" and "database not found" in text:
            self._schema_ready = False  # someone dropped it: recreate on the retry
            raise StoreUnavailableError(f"InfluxDB database {self.database!r} is missing; recreating it")
        raise _classify(status, text, response_headers, what="write")

    async def _request(self, method: str, path: str, **kwargs: Any) -> tuple[int, str, Mapping[str, str]]:
        if self._closed:
            raise StorageError("the InfluxDB store is closed; create a new one")
        if self._session is None:
            headers = {"Authorization": f"Token {self._token}"} if self._token else None
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=headers, auth=self._auth)
        try:
            async with self._session.request(method, self.url + path, **kwargs) as response:
                return response.status, await response.text(), response.headers
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise StoreUnavailableError(
                f"InfluxDB at {self.url} did not answer ({type(exc).__name__}: {exc}); "
                "check that it is running and influxdb.url is right"
            ) from exc


def _classify(status: int, body: str, headers: Mapping[str, str], *, what: str) -> StorageError:
    """The error for a non-success answer: retryable when InfluxDB is down or overloaded."""
    message = _server_message(body)
    if status in (408, 429) or status >= 500:
        retry_after = headers.get("Retry-After", "")
        return StoreUnavailableError(
            f"InfluxDB {what} failed with HTTP {status}: {message}; will retry",
            retry_after_s=float(retry_after) if retry_after.isdigit() else None,
        )
    if status in (401, 403):
        return WriteRejectedError(
            f"InfluxDB refused the credentials (HTTP {status}: {message}); check influxdb.token "
            "(v2) or influxdb.username/password (1.x) and the token's write permission"
        )
    dropped = _PARTIAL_WRITE_DROPPED.search(message)
    return WriteRejectedError(
        f"InfluxDB rejected the {what} (HTTP {status}): {message}",
        points_rejected=int(dropped.group(1)) if dropped else None,
    )


def _server_message(body: str) -> str:
    """InfluxDB's explanation: 1.x sends {"error": …}, v2 {"code": …, "message": …}."""
    try:
        payload = json.loads(body)
    except ValueError:
        return body.strip()[:500] or "no details"
    if isinstance(payload, dict):
        return str(payload.get("error") or payload.get("message") or payload)[:500]
    return body.strip()[:500]

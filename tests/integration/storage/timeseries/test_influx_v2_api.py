"""The InfluxDB v2 write path (``/api/v2/write``, token, org, bucket) over a real socket.

No InfluxDB 2.x server exists on this machine (Debian ships 1.6.7, which predates the v2
compatibility endpoint), so these tests run a local aiohttp server in their place. It checks what
a v2 server checks — the path, the ``org``/``bucket``/``precision`` query parameters, the
``Authorization: Token …`` header and the exact line-protocol body — and answers with the
statuses a v2 server uses (204, 401, 429, 503) so the store's error classification and the
writer's retries are exercised end to end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from galfriday.core.errors import StorageError
from galfriday.storage.timeseries.errors import StoreUnavailableError, WriteRejectedError
from galfriday.storage.timeseries.influx_store import InfluxStore
from galfriday.storage.timeseries.line_protocol import encode_points
from galfriday.storage.timeseries.writer import BufferedTimeSeriesWriter
from tests.unit.storage.timeseries._points import every_measurement, system

TOKEN = "s3cr3t-token=="
T0 = 1_714_564_800_000_000_000


@dataclass
class FakeV2:
    """Answers /api/v2/write with the scripted statuses, then 204; records every request."""

    statuses: list[tuple[int, dict[str, str], str]] = field(default_factory=list)
    requests: list[dict[str, object]] = field(default_factory=list)
    url: str = ""

    async def write(self, request: web.Request) -> web.Response:
        body = await request.read()  # aiohttp inflates a gzip body, and fails on a bad one
        self.requests.append(
            {
                "path": request.path,
                "query": dict(request.query),
                "auth": request.headers.get("Authorization"),
                "content_type": request.headers.get("Content-Type"),
                "encoding": request.headers.get("Content-Encoding"),
                "body": body,
            }
        )
        if request.headers.get("Authorization") != f"Token {TOKEN}":
            return web.json_response({"code": "unauthorized", "message": "unauthorized access"}, status=401)
        if self.statuses:
            status, headers, message = self.statuses.pop(0)
            return web.json_response({"code": "error", "message": message}, status=status, headers=headers)
        return web.Response(status=204)


@pytest.fixture
async def fake_v2() -> AsyncIterator[FakeV2]:
    fake = FakeV2()
    app = web.Application()
    app.router.add_post("/api/v2/write", fake.write)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"http://127.0.0.1:{port}"
    yield fake
    await runner.cleanup()


def v2_store(fake: FakeV2, token: str = TOKEN, **kwargs: object) -> InfluxStore:
    return InfluxStore(fake.url, api_version="v2", token=token, org="gal org", bucket="market&co", **kwargs)  # type: ignore[arg-type]


async def test_write_request_matches_the_v2_api(fake_v2: FakeV2) -> None:
    points = every_measurement(T0)
    store = v2_store(fake_v2)
    await store.write_many(points)
    await store.close()
    [request] = fake_v2.requests  # one bucket: one request for every measurement
    assert request["path"] == "/api/v2/write"
    assert request["query"] == {"org": "gal org", "bucket": "market&co", "precision": "ns"}
    assert request["auth"] == f"Token {TOKEN}"
    assert request["content_type"] == "text/plain; charset=utf-8"
    assert request["encoding"] is None
    assert request["body"] == encode_points(points)
    first = request["body"].split(b"\n")[0]  # type: ignore[union-attr]
    assert first.startswith(b"market_data_l2,exchange=kraken,trading_pair=XRP/USD is_snapshot=true,")


async def test_gzip_bodies(fake_v2: FakeV2) -> None:
    store = v2_store(fake_v2, gzip_body=True)
    await store.write(system(T0))
    await store.close()
    assert fake_v2.requests[0]["encoding"] == "gzip"
    assert fake_v2.requests[0]["body"] == encode_points([system(T0)])


async def test_large_batches_are_split_into_requests(fake_v2: FakeV2) -> None:
    points = [system(T0 + i, i) for i in range(25)]
    store = v2_store(fake_v2, max_lines_per_request=10)
    await store.write_many(points)
    await store.close()
    assert [r["body"].count(b"\n") for r in fake_v2.requests] == [10, 10, 5]  # type: ignore[union-attr]
    assert b"".join(r["body"] for r in fake_v2.requests) == encode_points(points)  # type: ignore[misc]


async def test_a_bad_token_is_rejected_not_retried(fake_v2: FakeV2) -> None:
    store = v2_store(fake_v2, token="wrong")
    with pytest.raises(WriteRejectedError, match=r"influxdb\.token"):
        await store.write(system(T0))
    writer = BufferedTimeSeriesWriter(store, backoff_initial_s=0.001)
    writer.submit(system(T0))
    await writer.close()
    assert (writer.stats().rejected, writer.stats().retries) == (1, 0)
    assert len(fake_v2.requests) == 2


async def test_429_and_503_are_retried_until_written_exactly_once(fake_v2: FakeV2) -> None:
    fake_v2.statuses = [
        (429, {"Retry-After": "0"}, "too many requests"),
        (503, {}, "service unavailable"),
        (503, {}, "service unavailable"),
    ]
    points = [system(T0 + i, i) for i in range(40)]
    writer = BufferedTimeSeriesWriter(v2_store(fake_v2), batch_size=100, backoff_initial_s=0.001)
    for p in points:
        writer.submit(p)
    await writer.close()
    assert [r["body"] for r in fake_v2.requests] == [encode_points(points)] * 4
    stats = writer.stats()
    assert (stats.written, stats.retries, stats.batches, stats.rejected) == (40, 3, 1, 0)
    assert "503" in (stats.last_error or "")


async def test_status_classification(fake_v2: FakeV2) -> None:
    fake_v2.statuses = [(429, {"Retry-After": "7"}, "slow down"), (400, {}, "unable to parse")]
    store = v2_store(fake_v2)
    with pytest.raises(StoreUnavailableError, match="429: slow down") as unavailable:
        await store.write(system(T0))
    assert unavailable.value.retry_after_s == 7.0
    with pytest.raises(WriteRejectedError, match="unable to parse"):
        await store.write(system(T0))
    await store.close()


async def test_reads_over_v2_say_they_are_not_implemented(fake_v2: FakeV2) -> None:
    store = v2_store(fake_v2)
    with pytest.raises(StorageError, match="not implemented"):
        await store.query("system_metrics")
    await store.close()

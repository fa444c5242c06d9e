"""KrakenPublicClient over a real socket against a local aiohttp server.

The server answers with Kraken's real recorded responses (shared/data/nautilus_trader/kraken/,
XBTUSDT, 2025-11-10/11) and injects the failures the client must survive: HTTP 503, Kraken's
rate-limit and throttle errors, and a non-retryable error.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from galfriday.core.types import Side
from galfriday.kraken.rate_limit import LeakyBucket, RetryPolicy
from galfriday.kraken.rest_public import KrakenAPIError, KrakenPublicClient, KrakenTransportError

FAST_RETRY = RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05, jitter=0.0)
NS = 1_000_000_000
# Decimals back out as JSON numbers with their original digits, as Kraken sends them.
_ENCODER = msgspec.json.Encoder(decimal_format="number")


class FakeKraken:
    """Serves recorded responses; ``faults`` is a queue of responses to give before the real one."""

    def __init__(self, data: Path) -> None:
        self.files = {
            "Time": json.loads((data / "http_server_time.json").read_text()),
            "SystemStatus": json.loads((data / "http_system_status.json").read_text()),
            "AssetPairs": json.loads((data / "http_asset_pairs.json").read_text()),
            "OHLC": json.loads((data / "http_ohlc.json").read_text()),
        }
        raw_trades = (data / "http_trades.json").read_text()
        self.trades: list[list[Any]] = json.loads(raw_trades, parse_float=Decimal)["result"]["XBTUSDT"]
        self.cursors = opaque_cursors(self.trades)
        self.faults: list[Callable[[], web.Response]] = []
        self.requests: list[tuple[float, str, dict[str, str]]] = []
        self.page_size = 300

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/0/public/{method}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.requests.append((time.monotonic(), method, dict(request.query)))
        if self.faults:
            return self.faults.pop(0)()
        if method == "Trades":
            return self.trades_page(request.query.get("since"))
        if method == "OHLC":
            return self.ohlc(request.query.get("since"))
        if method in self.files:
            return web.json_response(self.files[method])
        return web.json_response({"error": ["EGeneral:Unknown method"], "result": {}})

    def trades_page(self, since: str | None) -> web.Response:
        """Kraken's cursor semantics: trades after the ``since`` cursor, ``last`` = cursor of the newest."""
        cursor = int(since) if since else 0
        picked = [i for i, c in enumerate(self.cursors) if c > cursor][: self.page_size]
        rows = [self.trades[i] for i in picked]
        last = self.cursors[picked[-1]] if picked else cursor
        body = {"error": [], "result": {"XBTUSDT": rows, "last": str(last)}}
        return web.Response(body=_ENCODER.encode(body), content_type="application/json")

    def ohlc(self, since: str | None) -> web.Response:
        """Like Kraken: rows after ``since`` plus, always, the still-open last row."""
        recorded = self.files["OHLC"]["result"]
        rows = recorded["XBTUSDT"]
        if since is not None:
            rows = [r for r in rows[:-1] if r[0] > int(since)] + [rows[-1]]
        return web.json_response({"error": [], "result": {"XBTUSDT": rows, "last": recorded["last"]}})


def opaque_cursors(trades: list[list[Any]]) -> list[int]:
    """A unique ns cursor per trade, like Kraken's ``last``.

    Many real trades share their displayed time (one taker order filling several makers, shown
    to 100 ns), so the displayed time cannot be the cursor: Kraken's ``last`` has full ns
    precision. We add the position within a same-time group to keep cursors unique and ordered.
    """
    out: list[int] = []
    for row in trades:
        ns = int(Decimal(str(row[2])) * NS)
        out.append(max(ns, out[-1] + 1) if out else ns)
    return out


def kraken_error(*errors: str) -> Callable[[], web.Response]:
    return lambda: web.json_response({"error": list(errors), "result": {}})


def http_status(status: int) -> Callable[[], web.Response]:
    return lambda: web.Response(status=status, text="<html>Service Unavailable</html>")


@pytest.fixture
def fake(shared_data: Path) -> FakeKraken:
    return FakeKraken(shared_data / "nautilus_trader" / "kraken")


@pytest.fixture
async def client(fake: FakeKraken) -> AsyncIterator[KrakenPublicClient]:
    server = TestServer(fake.app(), host="127.0.0.1", port=0)
    await server.start_server()
    limiter = LeakyBucket(capacity=1, leak_per_s=1000.0)
    async with KrakenPublicClient(str(server.make_url("")), limiter=limiter, retry=FAST_RETRY) as c:
        yield c
    await server.close()


async def test_time_and_system_status(client: KrakenPublicClient) -> None:
    assert (await client.server_time()).unixtime == 1762820224
    status = await client.system_status()
    assert (status.status, status.timestamp) == ("online", "2025-11-11T00:17:10Z")


async def test_asset_pairs_numbers_are_exact(client: KrakenPublicClient) -> None:
    pairs = await client.asset_pairs()
    assert pairs["XBTUSDT"]["tick_size"] == "0.1"
    assert pairs["XBTUSDT"]["fees"][0][1] == Decimal("0.4")  # JSON float -> Decimal from its text


async def test_ohlc_last_row_is_the_open_candle(client: KrakenPublicClient) -> None:
    page = await client.ohlc("XBTUSDT", 1)
    assert (len(page.candles), page.last) == (721, 1762820160)
    assert page.closed[-1].time_s == page.last  # every committed candle, up to ``last``
    assert page.candles[-1].time_s == 1762820220  # the still-open one is left out of ``closed``
    first = page.candles[0]
    assert (first.open, first.volume, first.count) == (Decimal("106038.2"), Decimal("0.00000000"), 0)


async def test_iter_ohlc_follows_last_until_nothing_new(client: KrakenPublicClient, fake: FakeKraken) -> None:
    candles = [c async for c in client.iter_ohlc("XBTUSDT", 1)]
    assert len(candles) == 720
    assert [c.time_s for c in candles] == sorted({c.time_s for c in candles})
    ohlc_calls = [q for _, m, q in fake.requests if m == "OHLC"]
    assert ohlc_calls[1]["since"] == "1762820160"  # second call polls from ``last``
    assert len(ohlc_calls) == 2


async def test_trades_paging_by_cursor_returns_every_trade_once(
    client: KrakenPublicClient, fake: FakeKraken
) -> None:
    pages = [p async for p in client.iter_trades("XBTUSDT", since_ns=0)]
    trades = [t for p in pages for t in p.trades]
    assert [len(p.trades) for p in pages] == [300, 300, 300, 100]
    assert [p.last for p in pages] == [fake.cursors[i] for i in (299, 599, 899, 999)]
    assert len(trades) == 1000
    assert [t.trade_id for t in trades] == list(range(10218208, 10219208))
    sent = [q.get("since") for _, m, q in fake.requests if m == "Trades"]
    assert sent == ["0", *[str(p.last) for p in pages]]  # each page asks from the previous ``last``
    first = trades[0]
    assert (first.price, first.volume, first.side, first.ord_type) == (
        Decimal("105433.60000"),
        Decimal("0.00027625"),
        Side.BUY,
        "limit",
    )
    assert first.time_ns == 1762795433971744500  # 1762795433.9717445 s, exactly


async def test_until_stops_paging(client: KrakenPublicClient) -> None:
    pages = [p async for p in client.iter_trades("XBTUSDT", since_ns=0, until_ns=1762800000 * NS)]
    assert len(pages) == 1 and pages[0].trades[-1].time_ns >= 1762800000 * NS


async def test_retry_after_http_503(client: KrakenPublicClient, fake: FakeKraken) -> None:
    fake.faults = [http_status(503), http_status(502)]
    assert (await client.server_time()).unixtime == 1762820224
    assert len(fake.requests) == 3


async def test_retry_after_rate_limit_exceeded(client: KrakenPublicClient, fake: FakeKraken) -> None:
    fake.faults = [kraken_error("EAPI:Rate limit exceeded")]
    assert (await client.system_status()).status == "online"
    assert len(fake.requests) == 2


async def test_retry_after_service_unavailable_and_busy(client: KrakenPublicClient, fake: FakeKraken) -> None:
    fake.faults = [kraken_error("EService:Unavailable"), kraken_error("EService:Busy")]
    assert (await client.server_time()).unixtime == 1762820224
    assert len(fake.requests) == 3


async def test_throttled_waits_until_the_given_timestamp(
    client: KrakenPublicClient, fake: FakeKraken
) -> None:
    retry_at = time.time() + 0.3
    fake.faults = [kraken_error(f"EService: Throttled: {retry_at:.3f}")]
    await client.server_time()
    (t_first, _, _), (t_second, _, _) = fake.requests
    assert t_second - t_first >= 0.25


async def test_non_retryable_error_raises_with_krakens_string(
    client: KrakenPublicClient, fake: FakeKraken
) -> None:
    fake.faults = [kraken_error("EQuery:Unknown asset pair")]
    with pytest.raises(KrakenAPIError) as err:
        await client.trades("NOPE")
    assert err.value.errors == ("EQuery:Unknown asset pair",)
    assert "EQuery:Unknown asset pair" in str(err.value)
    assert len(fake.requests) == 1  # not retried


async def test_retries_are_bounded(client: KrakenPublicClient, fake: FakeKraken) -> None:
    fake.faults = [kraken_error("EService:Unavailable")] * 10
    with pytest.raises(KrakenAPIError) as err:
        await client.server_time()
    assert err.value.retries_exhausted and len(fake.requests) == FAST_RETRY.max_attempts
    fake.faults = [http_status(500)] * 10
    with pytest.raises(KrakenTransportError, match="HTTP 500"):
        await client.server_time()


async def test_network_error_is_retried_then_reported() -> None:
    server = TestServer(web.Application(), host="127.0.0.1", port=0)
    await server.start_server()
    url = str(server.make_url(""))
    await server.close()  # nothing listens there any more
    async with KrakenPublicClient(
        url, limiter=LeakyBucket(capacity=1, leak_per_s=1000.0), retry=FAST_RETRY
    ) as c:
        with pytest.raises(KrakenTransportError, match="after 4 attempts"):
            await c.server_time()


class RecordingBucket(LeakyBucket):
    """Notes when each request was let through."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.granted: list[float] = []

    async def acquire(self, cost: float = 1.0) -> None:
        await super().acquire(cost)
        self.granted.append(time.monotonic())


async def test_limiter_spaces_requests(fake: FakeKraken) -> None:
    server = TestServer(fake.app(), host="127.0.0.1", port=0)
    await server.start_server()
    limiter = RecordingBucket(capacity=1, leak_per_s=20.0)  # one request per 50 ms, no burst
    async with KrakenPublicClient(str(server.make_url("")), limiter=limiter, retry=FAST_RETRY) as c:
        await asyncio.gather(*(c.server_time() for _ in range(6)))  # all at once: the limiter spaces them
    await server.close()
    sent_gaps = [b - a for a, b in zip(limiter.granted, limiter.granted[1:], strict=False)]
    assert len(sent_gaps) == 5 and min(sent_gaps) >= 0.049
    arrivals = [t for t, _, _ in fake.requests]
    # The server sees the same spacing (first arrival excluded: it also paid for the connection).
    assert (arrivals[-1] - arrivals[1]) / 4 >= 0.045

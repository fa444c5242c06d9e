"""``download`` against a local Kraken-like server over a real socket: resumable, exactly once.

The server pages Trades like Kraken (opaque ``since``/``last`` cursor, 250 trades a page) over
trades generated from the real recording shared/data/nautilus_trader/kraken/http_trades.json
(XBTUSDT): the 1000 recorded trades, plus two copies shifted by 10 and 20 days with new ids, so
the data crosses UTC days and a month boundary. AssetPairs is the real recorded response, so the
pair is found as "BTC/USDT" (v1 wsname "XBT/USDT", REST id "XBTUSDT").
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pytest
import typer
from aiohttp import web
from aiohttp.test_utils import TestServer
from typer.testing import CliRunner

from galfriday.kraken.rate_limit import LeakyBucket, RetryPolicy
from galfriday.kraken.rest_public import KrakenAPIError, KrakenPublicClient
from galfriday.marketdata.bars import build_bars
from galfriday.marketdata.cli_history import register
from galfriday.marketdata.history import HistoryLayout, download_trades, load_candles
from galfriday.marketdata.history.store import read_trades

NS = 1_000_000_000
DAY_NS = 86_400 * NS
SINCE = 1762732800 * NS  # 2025-11-10 00:00 UTC, before the first trade
_ENCODER = msgspec.json.Encoder(decimal_format="number")


class GeneratedKraken:
    def __init__(self, data: Path) -> None:
        self.asset_pairs = json.loads((data / "http_asset_pairs.json").read_text())
        recorded = json.loads((data / "http_trades.json").read_text(), parse_float=Decimal)["result"][
            "XBTUSDT"
        ]
        self.rows: list[list[Any]] = []
        for k in range(3):
            for r in recorded:
                shifted = Decimal(str(r[2])) + 10 * 86_400 * k
                self.rows.append([r[0], r[1], shifted, r[3], r[4], r[5], r[6] + 1_000_000 * k])
        # Kraken's ``last`` is an opaque ns cursor, unique per trade (displayed times repeat).
        self.cursors: list[int] = []
        for r in self.rows:
            ns = int(r[2] * NS)
            self.cursors.append(max(ns, self.cursors[-1] + 1) if self.cursors else ns)
        self.page_size = 250
        self.fail_after_pages: int | None = None
        self.trades_requests: list[str | None] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/0/public/AssetPairs", self.pairs)
        app.router.add_get("/0/public/Trades", self.trades)
        return app

    async def pairs(self, request: web.Request) -> web.Response:
        return web.json_response(self.asset_pairs)

    async def trades(self, request: web.Request) -> web.Response:
        self.trades_requests.append(request.query.get("since"))
        if self.fail_after_pages is not None and len(self.trades_requests) > self.fail_after_pages:
            return web.json_response({"error": ["EGeneral:Internal error"], "result": {}})
        cursor = int(request.query.get("since") or 0)
        picked = [i for i, c in enumerate(self.cursors) if c > cursor][: self.page_size]
        body = {
            "error": [],
            "result": {
                "XBTUSDT": [self.rows[i] for i in picked],
                "last": str(self.cursors[picked[-1]] if picked else cursor),
            },
        }
        return web.Response(body=_ENCODER.encode(body), content_type="application/json")

    def times_ns(self) -> list[int]:
        return [int(r[2] * NS) for r in self.rows]


@pytest.fixture
def kraken(shared_data: Path) -> GeneratedKraken:
    return GeneratedKraken(shared_data / "nautilus_trader" / "kraken")


@pytest.fixture
async def client(kraken: GeneratedKraken) -> AsyncIterator[KrakenPublicClient]:
    server = TestServer(kraken.app(), host="127.0.0.1", port=0)
    await server.start_server()
    fast = LeakyBucket(capacity=1, leak_per_s=1000.0)
    retry = RetryPolicy(max_attempts=2, base_delay_s=0.01, jitter=0.0)
    async with KrakenPublicClient(str(server.make_url("")), limiter=fast, retry=retry) as c:
        yield c
    await server.close()


def stored_ids(root: Path) -> list[str]:
    return read_trades(HistoryLayout(root), "BTC/USDT").column("trade_id").to_pylist()


def assert_every_trade_exactly_once(root: Path, kraken: GeneratedKraken) -> None:
    trades = read_trades(HistoryLayout(root), "BTC/USDT")
    ids = trades.column("trade_id").to_pylist()
    assert len(ids) == len(set(ids)) == 3000
    assert sorted(ids, key=int) == [str(r[6]) for r in kraken.rows]
    ts = trades.column("timestamp").cast(pa.int64()).to_pylist()
    assert ts == sorted(ts) == kraken.times_ns()
    assert trades.column("price").to_pylist() == [Decimal(r[0]) for r in kraken.rows]


def assert_bars_match_trades(root: Path, kraken: GeneratedKraken) -> None:
    expected = build_bars(
        "BTC/USDT",
        kraken.times_ns(),
        [Decimal(r[0]) for r in kraken.rows],
        [Decimal(r[1]) for r in kraken.rows],
    ).bars[:-1]  # the last minute is not known to be complete: not stored
    candles = load_candles(root, "BTC/USDT").to_pylist()
    assert [
        (c["open"], c["high"], c["low"], c["close"], c["volume"], c["vwap"], c["trade_count"])
        for c in candles
    ] == [(b.open, b.high, b.low, b.close, b.volume, b.vwap, b.trade_count) for b in expected]


async def test_interrupted_download_resumes_without_gaps_or_duplicates(
    client: KrakenPublicClient, kraken: GeneratedKraken, tmp_path: Path
) -> None:
    kraken.fail_after_pages = 5
    with pytest.raises(KrakenAPIError, match="EGeneral:Internal error"):
        await download_trades(client, "BTC/USDT", since_ns=SINCE, root=tmp_path, flush_every_pages=2)
    assert len(stored_ids(tmp_path)) == 5 * 250  # every page fetched before the failure is kept
    state = json.loads(HistoryLayout(tmp_path).cursor_file("BTC/USDT").read_text())
    assert state["cursor"] == kraken.cursors[5 * 250 - 1]

    kraken.fail_after_pages = None
    kraken.trades_requests.clear()
    result = await download_trades(client, "BTC/USDT", since_ns=SINCE, root=tmp_path, flush_every_pages=2)
    assert result.resumed and result.start_ns == state["cursor"]
    assert kraken.trades_requests[0] == str(state["cursor"])  # continued from the stored cursor
    assert (result.trades, result.rest_pair) == (3000 - 1250, "XBTUSDT")
    assert_every_trade_exactly_once(tmp_path, kraken)
    assert_bars_match_trades(tmp_path, kraken)
    days = sorted(p.stem for p in HistoryLayout(tmp_path).trades_dir("BTC/USDT").glob("*.parquet"))
    assert days == ["2025-11-10", "2025-11-11", "2025-11-20", "2025-11-21", "2025-11-30", "2025-12-01"]


async def test_cursor_behind_the_data_refetches_without_duplicates(
    client: KrakenPublicClient, kraken: GeneratedKraken, tmp_path: Path
) -> None:
    """A crash between writing trades and saving the cursor leaves the cursor behind: harmless."""
    await download_trades(client, "BTC/USDT", since_ns=SINCE, root=tmp_path)
    cursor_file = HistoryLayout(tmp_path).cursor_file("BTC/USDT")
    state = json.loads(cursor_file.read_text())
    state["cursor"] = kraken.cursors[1234]
    cursor_file.write_text(json.dumps(state))
    result = await download_trades(client, "BTC/USDT", since_ns=SINCE, root=tmp_path)
    assert result.resumed and result.trades == 3000 - 1235
    assert_every_trade_exactly_once(tmp_path, kraken)


async def test_until_then_continue_later(
    client: KrakenPublicClient, kraken: GeneratedKraken, tmp_path: Path
) -> None:
    until = kraken.times_ns()[1600] + 1  # mid-page: the page is trimmed, the cursor stays before it
    first = await download_trades(client, "BTC/USDT", since_ns=SINCE, until_ns=until, root=tmp_path)
    assert first.trades == 1601 and len(stored_ids(tmp_path)) == 1601
    last_candle = load_candles(tmp_path, "BTC/USDT").column("timestamp").cast(pa.int64())[-1].as_py()
    assert last_candle + 60 * NS <= until  # only complete minutes
    await download_trades(client, "BTC/USDT", since_ns=SINCE, root=tmp_path)
    assert_every_trade_exactly_once(tmp_path, kraken)
    assert_bars_match_trades(tmp_path, kraken)


# -------------------------------------------------------------------------------------- CLI


@pytest.fixture
def threaded_server(kraken: GeneratedKraken) -> Iterator[str]:
    """The server on its own loop in a thread: the CLI runs ``asyncio.run`` itself."""
    loop = asyncio.new_event_loop()
    server = TestServer(kraken.app(), host="127.0.0.1", port=0, loop=loop)
    loop.run_until_complete(server.start_server())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield str(server.make_url(""))
    finally:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()


def test_cli_download_then_list(threaded_server: str, kraken: GeneratedKraken, tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    args = ["download", "--pair", "XBTUSDT", "--since", "2025-11-10", "--out", str(tmp_path)]
    args += ["--base-url", threaded_server, "--rate", "1000"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "BTC/USDT (XBTUSDT): fresh start; 12 pages, 3000 trades" in result.output
    result = runner.invoke(app, args)  # nothing new: resumes at the end
    assert result.exit_code == 0, result.output
    assert "resumed at 2025-12-01T00:13:55" in result.output and "0 trades" in result.output
    assert_every_trade_exactly_once(tmp_path, kraken)
    listing = runner.invoke(app, ["list", "--dir", str(tmp_path)])
    rows = [line.split() for line in listing.output.splitlines()[1:]]
    assert [r[:3] for r in rows] == [["BTC/USDT", "candles", "1m"], ["BTC/USDT", "trades", "-"]]
    assert rows[1][5] == "3,000"

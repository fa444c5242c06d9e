"""Async client for Kraken's public REST endpoints: Time, SystemStatus, AssetPairs, OHLC, Trades.

Every call waits on the shared client-side limiter first (Kraken's public limit is about one call
per second per IP) and is retried with exponential backoff on network errors, HTTP 5xx/429 and
the transient Kraken errors (``EService:Unavailable``, ``EService:Busy``, ``EAPI:Rate limit
exceeded``, ``EService:Throttled: <ts>`` — the latter waits until ``ts``). Any other ``error``
entry raises ``KrakenAPIError`` carrying Kraken's exact strings.

Numbers are decoded exactly: JSON floats become ``Decimal`` straight from their text (prices and
volumes arrive as strings anyway), never via binary floats.

OHLC caveats (Kraken docs): the response holds at most the 720 most recent candles whatever
``since`` says, and its last row is the still-open candle. ``OhlcPage.closed`` leaves that row
out; ``iter_ohlc`` follows ``last`` to poll for newly committed candles. Older history has to be
rebuilt from Trades (see ``galfriday.marketdata.history``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import aiohttp
import msgspec

from galfriday.core.errors import GalFridayError
from galfriday.core.types import Side
from galfriday.kraken.http_session import HttpSessionOwner
from galfriday.kraken.rate_limit import (
    LeakyBucket,
    RetryPolicy,
    classify_errors,
    public_rest_limiter,
    throttle_wait_s,
)

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.kraken.com"
TRADES_MAX_COUNT = 1000  # Trades ``count`` parameter: 1..1000 (also the default page size)
NS_PER_S = 1_000_000_000

_decoder = msgspec.json.Decoder(float_hook=Decimal)


class KrakenError(GalFridayError):
    """Base of every failure talking to Kraken."""


class KrakenAPIError(KrakenError):
    """Kraken answered with a non-empty ``error`` list; ``errors`` holds its exact strings."""

    def __init__(self, method: str, errors: Sequence[str], *, retries_exhausted: bool = False) -> None:
        self.method = method
        self.errors = tuple(errors)
        self.retries_exhausted = retries_exhausted
        hint = " (still failing after all retries; wait and try again later)" if retries_exhausted else ""
        super().__init__(f"Kraken {method} failed: {', '.join(self.errors)}{hint}")


class KrakenTransportError(KrakenError):
    """The request never produced a usable answer (network, HTTP status, malformed body)."""


# ---------------------------------------------------------------------------------- results


class ServerTime(msgspec.Struct, frozen=True):
    unixtime: int
    rfc1123: str


class SystemStatus(msgspec.Struct, frozen=True):
    status: str  # online | maintenance | cancel_only | post_only
    timestamp: str


class OhlcCandle(msgspec.Struct, frozen=True):
    """One OHLC row: ``time_s`` is the candle's open time (unix seconds)."""

    time_s: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    vwap: Decimal
    volume: Decimal
    count: int


class OhlcPage(msgspec.Struct, frozen=True):
    pair_key: str
    candles: tuple[OhlcCandle, ...]
    last: int  # pass as ``since`` to poll for newly committed candles

    @property
    def closed(self) -> tuple[OhlcCandle, ...]:
        """The committed candles: every row but the last, which is the still-open one."""
        return self.candles[:-1]


class PublicTrade(msgspec.Struct, frozen=True):
    price: Decimal
    volume: Decimal
    time_ns: int
    side: Side  # the taker's side
    ord_type: str  # "limit" | "market"
    misc: str
    trade_id: int | None  # absent in old responses


class TradesPage(msgspec.Struct, frozen=True):
    pair_key: str
    trades: tuple[PublicTrade, ...]
    last: int  # nanosecond cursor: pass as ``since`` for the next page


def _to_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _seconds_to_ns(value: Any) -> int:
    return int(_to_decimal(value) * NS_PER_S)


def _split_paged_result(method: str, result: Mapping[str, Any]) -> tuple[str, list[Any], int]:
    keys = [k for k in result if k != "last"]
    if len(keys) != 1 or "last" not in result:
        raise KrakenTransportError(f"Kraken {method}: unexpected result keys {sorted(result)}")
    return keys[0], result[keys[0]], int(result["last"])


def parse_ohlc(result: Mapping[str, Any]) -> OhlcPage:
    key, rows, last = _split_paged_result("OHLC", result)
    candles = tuple(
        OhlcCandle(
            time_s=int(r[0]),
            open=_to_decimal(r[1]),
            high=_to_decimal(r[2]),
            low=_to_decimal(r[3]),
            close=_to_decimal(r[4]),
            vwap=_to_decimal(r[5]),
            volume=_to_decimal(r[6]),
            count=int(r[7]),
        )
        for r in rows
    )
    return OhlcPage(pair_key=key, candles=candles, last=last)


_SIDES = {"b": Side.BUY, "s": Side.SELL}
_ORD_TYPES = {"l": "limit", "m": "market"}


def parse_trades(result: Mapping[str, Any]) -> TradesPage:
    key, rows, last = _split_paged_result("Trades", result)
    trades = tuple(
        PublicTrade(
            price=_to_decimal(r[0]),
            volume=_to_decimal(r[1]),
            time_ns=_seconds_to_ns(r[2]),
            side=_SIDES[r[3]],
            ord_type=_ORD_TYPES.get(r[4], r[4]),
            misc=r[5],
            trade_id=int(r[6]) if len(r) > 6 else None,
        )
        for r in rows
    )
    return TradesPage(pair_key=key, trades=trades, last=last)


# ----------------------------------------------------------------------------------- client


class KrakenPublicClient(HttpSessionOwner):
    """Kraken public REST over one aiohttp session. Use as ``async with KrakenPublicClient() as c``.

    ``base_url`` points anywhere that speaks Kraken's API (the exchange simulator, a test server).
    Pass a shared ``limiter`` when several clients use the same IP.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        limiter: LeakyBucket | None = None,
        retry: RetryPolicy | None = None,
        timeout_s: float = 30.0,
        user_agent: str = "galfriday",
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.limiter = limiter if limiter is not None else public_rest_limiter()
        self.retry = retry if retry is not None else RetryPolicy()
        super().__init__(session, timeout_s=timeout_s, headers={"User-Agent": user_agent})


    # -- the one request path ------------------------------------------------------------------

    async def public(self, method: str, params: Mapping[str, str | int] | None = None) -> Any:
        """GET ``/0/public/<method>`` with limiting and retries; returns the ``result`` member."""
        url = f"{self.base_url}/0/public/{method}"
        query = {k: str(v) for k, v in (params or {}).items()}
        policy = self.retry
        for attempt in range(1, policy.max_attempts + 1):
            last_attempt = attempt == policy.max_attempts
            await self.limiter.acquire()
            try:
                status, body = await self._get(url, query)
            except (TimeoutError, aiohttp.ClientError) as exc:
                if last_attempt:
                    raise KrakenTransportError(
                        f"Kraken {method}: {type(exc).__name__}: {exc} after {attempt} attempts; "
                        f"check the network and {self.base_url}"
                    ) from exc
                await self._back_off(method, attempt, f"{type(exc).__name__}: {exc}")
                continue
            if status >= 500 or status == 429:
                if last_attempt:
                    raise KrakenTransportError(
                        f"Kraken {method}: HTTP {status} after {attempt} attempts; the exchange is "
                        "unavailable, try again later"
                    )
                await self._back_off(method, attempt, f"HTTP {status}", rate_limited=status == 429)
                continue
            payload = self._decode(method, status, body)
            errors = payload.get("error") or []
            if not errors:
                return payload.get("result")
            verdict = classify_errors(errors)
            if not verdict.retryable:
                raise KrakenAPIError(method, errors)
            if last_attempt:
                raise KrakenAPIError(method, errors, retries_exhausted=True)
            if verdict.retry_at_unix_s is not None:
                wait = throttle_wait_s(verdict.retry_at_unix_s, policy)
                logger.warning("Kraken %s throttled: %s; waiting %.1f s", method, errors, wait)
                self.limiter.pause_for(wait)
            else:
                await self._back_off(method, attempt, ", ".join(errors), rate_limited=verdict.rate_limited)
        raise AssertionError("unreachable: the last attempt always returns or raises")

    async def _get(self, url: str, query: Mapping[str, str]) -> tuple[int, bytes]:
        async with self._get_session().get(url, params=query) as resp:
            return resp.status, await resp.read()

    @staticmethod
    def _decode(method: str, status: int, body: bytes) -> dict[str, Any]:
        try:
            payload = _decoder.decode(body)
        except msgspec.DecodeError as exc:
            raise KrakenTransportError(
                f"Kraken {method}: HTTP {status} with a body that is not JSON ({body[:120]!r})"
            ) from exc
        if not isinstance(payload, dict):
            raise KrakenTransportError(f"Kraken {method}: expected a JSON object, got {body[:120]!r}")
        return payload

    async def _back_off(self, method: str, attempt: int, reason: str, *, rate_limited: bool = False) -> None:
        delay = self.retry.backoff_s(attempt)
        logger.warning("Kraken %s failed (%s); retry %d in %.2f s", method, reason, attempt, delay)
        if rate_limited:
            # Everyone sharing the limiter must slow down, not only this call.
            self.limiter.pause_for(delay)
        else:
            await asyncio.sleep(delay)

    # -- endpoints ------------------------------------------------------------------------------

    async def server_time(self) -> ServerTime:
        return msgspec.convert(await self.public("Time"), ServerTime)

    async def system_status(self) -> SystemStatus:
        return msgspec.convert(await self.public("SystemStatus"), SystemStatus)

    async def asset_pairs(self, pairs: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
        """Raw AssetPairs result keyed by REST pair id; parse with ``kraken.asset_pairs``."""
        params = {"pair": ",".join(pairs)} if pairs else None
        result: dict[str, dict[str, Any]] = await self.public("AssetPairs", params)
        return result

    async def ohlc(self, pair: str, interval_min: int = 1, since_s: int | None = None) -> OhlcPage:
        """Up to 720 most recent candles of ``interval_min`` minutes; the last one is still open."""
        params: dict[str, str | int] = {"pair": pair, "interval": interval_min}
        if since_s is not None:
            params["since"] = since_s
        return parse_ohlc(await self.public("OHLC", params))

    async def iter_ohlc(
        self, pair: str, interval_min: int = 1, since_s: int | None = None
    ) -> AsyncIterator[OhlcCandle]:
        """Committed candles newer than ``since_s``, each once, following ``last`` until none are new."""
        newest = since_s if since_s is not None else -1
        while True:
            page = await self.ohlc(pair, interval_min, since_s)
            fresh = [c for c in page.closed if c.time_s > newest]
            for candle in fresh:
                yield candle
            if not fresh or page.last == since_s:
                return
            newest = fresh[-1].time_s
            since_s = page.last

    async def trades(self, pair: str, since_ns: int | None = None, count: int | None = None) -> TradesPage:
        """Up to 1000 trades after the ``since_ns`` cursor (exclusive), oldest first."""
        params: dict[str, str | int] = {"pair": pair}
        if since_ns is not None:
            params["since"] = since_ns
        if count is not None:
            if not 1 <= count <= TRADES_MAX_COUNT:
                raise ValueError(f"Trades count must be 1..{TRADES_MAX_COUNT}, got {count}")
            params["count"] = count
        return parse_trades(await self.public("Trades", params))

    async def iter_trades(
        self, pair: str, since_ns: int, until_ns: int | None = None
    ) -> AsyncIterator[TradesPage]:
        """Pages of trades from ``since_ns`` on, following the ``last`` cursor.

        Stops when a page is empty, the cursor stops moving (caught up with the present) or a
        page reaches ``until_ns``; pages are yielded whole, so the caller trims at ``until_ns``.
        """
        cursor = since_ns
        while True:
            page = await self.trades(pair, cursor)
            if not page.trades:
                return
            yield page
            if until_ns is not None and page.trades[-1].time_ns >= until_ns:
                return
            if page.last <= cursor:
                return
            cursor = page.last

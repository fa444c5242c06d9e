"""REST ``/0/public/<Method>``: Time, SystemStatus, Assets, AssetPairs, Ticker, Depth, OHLC, Trades.

Served from the exchange's public market (its own book, tape and candles), for the configured
instruments only (``EQuery:Unknown asset pair`` for anything else). GET and POST both work, as on
Kraken. Public calls are not rate-limited here: our client limits itself (about 1/s per IP) and
Kraken's public limit is per IP, which a local simulator cannot meaningfully model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from galfriday.core.instruments import Instrument
from galfriday.sim.server import errors, render_rest
from galfriday.sim.server.assets import common_asset, rest_asset, rest_pair_id
from galfriday.sim.server.errors import ExchangeError
from galfriday.sim.server.exchange import Exchange
from galfriday.sim.server.http_common import Params, answer, injected_failure, int_param, parse_body
from galfriday.sim.server.ohlc import INTERVALS_MIN
from galfriday.sim.server.timefmt import rfc1123, rfc3339_seconds

logger = logging.getLogger(__name__)

_TRADES_MAX = 1000
_DEPTH_MAX = 500


class PublicRest:
    def __init__(self, exchange: Exchange) -> None:
        self.ex = exchange
        self._methods: dict[str, Callable[[Params], Any]] = {
            "Time": self.time,
            "SystemStatus": self.system_status,
            "Assets": self.assets,
            "AssetPairs": self.asset_pairs,
            "Ticker": self.ticker,
            "Depth": self.depth,
            "OHLC": self.ohlc,
            "Trades": self.trades,
        }

    async def handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        failure = injected_failure(self.ex.faults, method)
        if failure is not None:
            return failure
        call = self._methods.get(method)
        if call is None:
            return answer(error=[errors.UNKNOWN_METHOD])
        try:
            params = dict(request.query)
            if request.method == "POST":
                params.update(parse_body(await request.read(), request.content_type))
            return answer(call(params))
        except ExchangeError as exc:
            logger.debug("public %s refused: %s", method, exc)
            return answer(error=[exc.error])

    # -- endpoints ----------------------------------------------------------------------------------

    def time(self, _: Params) -> dict[str, Any]:
        now = self.ex.clock.wall_ns()
        return {"unixtime": now // 1_000_000_000, "rfc1123": rfc1123(now)}

    def system_status(self, _: Params) -> dict[str, Any]:
        return {"status": "online", "timestamp": rfc3339_seconds(self.ex.clock.wall_ns())}

    def assets(self, params: Params) -> dict[str, Any]:
        codes = {c for i in self.ex.pairs.instruments.values() for c in (i.base, i.quote)}
        wanted = {a.strip() for a in params.get("asset", "").split(",") if a.strip()}
        chosen = (
            sorted(codes)
            if not wanted
            else sorted(c for c in codes if c in {common_asset(w) for w in wanted})
        )
        return {rest_asset(c): render_rest.asset(c) for c in chosen}

    def asset_pairs(self, params: Params) -> dict[str, Any]:
        return {rest_pair_id(i): render_rest.asset_pair(i) for i in self.ex.pairs.select(params.get("pair"))}

    def ticker(self, params: Params) -> dict[str, Any]:
        return {
            rest_pair_id(i): render_rest.ticker(i, self.ex.market.ticker(i.symbol))
            for i in self.ex.pairs.select(params.get("pair"))
        }

    def depth(self, params: Params) -> dict[str, Any]:
        inst = self._one_pair(params)
        count = int_param(params, "count", 100) or 100
        if not 1 <= count <= _DEPTH_MAX:
            raise ExchangeError(errors.invalid_argument("count"))
        return {rest_pair_id(inst): render_rest.depth(inst, self.ex.market.pairs[inst.symbol].book, count)}

    def ohlc(self, params: Params) -> dict[str, Any]:
        inst = self._one_pair(params)
        interval = int_param(params, "interval", 1)
        if interval not in INTERVALS_MIN:
            raise ExchangeError(errors.invalid_argument("interval"), f"use one of {INTERVALS_MIN}")
        series = self.ex.market.pairs[inst.symbol].ohlc.series[interval]
        candles, last = series.page(int_param(params, "since"))
        price = render_rest.price
        rows = [
            [
                c.open_s,
                price(inst, c.open),
                price(inst, c.high),
                price(inst, c.low),
                price(inst, c.close),
                price(inst, c.vwap),
                render_rest.volume(inst, c.volume),
                c.count,
            ]
            for c in candles
        ]
        return {rest_pair_id(inst): rows, "last": last}

    def trades(self, params: Params) -> dict[str, Any]:
        inst = self._one_pair(params)
        count = int_param(params, "count", _TRADES_MAX) or _TRADES_MAX
        if not 1 <= count <= _TRADES_MAX:
            raise ExchangeError(errors.invalid_argument("count"))
        tape = self.ex.market.pairs[inst.symbol].tape
        since = int_param(params, "since")
        trades = tape.since(since, count)
        last = trades[-1].ts_ns if trades else (since or 0)
        return {rest_pair_id(inst): [render_rest.trade_row(inst, t) for t in trades], "last": str(last)}

    def _one_pair(self, params: Params) -> Instrument:
        pair = params.get("pair", "")
        if not pair:
            raise ExchangeError(errors.invalid_argument("pair"), "pair is required")
        return self.ex.pairs.get(pair)

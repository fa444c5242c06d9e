"""WS v2 public endpoint: ``book``, ``trade``, ``ticker`` and ``instrument`` channels.

Subscribing answers one ack per symbol (``instrument``: one ack), then a snapshot unless
``snapshot: false``. From then on every change of the public market is fanned out: each book
update is computed once per (pair, subscribed depth) and the same encoded frame goes to every
subscriber (``public_book``); trades and a ticker refresh follow every print. Refusals use
Kraken's phrasing (``Already subscribed``, ``Subscription Not Found``, ``Currency pair not
supported``). A ``corrupt_checksum`` fault flips the checksum of the next matching book frame.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from galfriday.kraken.ws_public import BOOK_DEPTHS
from galfriday.sim.server import render_ws, wire
from galfriday.sim.server.config import SimulatorConfig
from galfriday.sim.server.errors import ExchangeError, invalid_argument
from galfriday.sim.server.exchange import Exchange
from galfriday.sim.server.tape import PublicTrade
from galfriday.sim.server.ws_connection import WsConnection
from galfriday.sim.server.ws_hub import WsHub

_TRADE_SNAPSHOT = 50
_SYMBOL_CHANNELS = ("book", "trade", "ticker")


class PublicWsHub(WsHub):
    where = "public"

    def __init__(self, exchange: Exchange, config: SimulatorConfig) -> None:
        super().__init__(exchange, config)
        # channel -> pair -> {connection: depth (book) or 0}
        self._subs: dict[str, dict[str, dict[WsConnection, int]]] = {
            c: defaultdict(dict) for c in _SYMBOL_CHANNELS
        }
        self._instrument: set[WsConnection] = set()
        exchange.market.listeners.append(self)

    # -- requests -------------------------------------------------------------------------------------

    def dispatch(
        self, conn: WsConnection, method: str, params: dict[str, Any], req_id: Any, time_in: int
    ) -> None:
        if method not in ("subscribe", "unsubscribe"):
            super().dispatch(conn, method, params, req_id, time_in)
            return
        channel = params.get("channel")
        if channel == "instrument":
            self._instrument_sub(conn, method, params, req_id, time_in)
            return
        if channel not in _SYMBOL_CHANNELS:
            conn.send(
                self.reply(method, req_id, time_in, error=f"Channel {channel} not supported"), "response"
            )
            return
        symbols = params.get("symbol")
        if not isinstance(symbols, list) or not symbols:
            conn.send(self.reply(method, req_id, time_in, error=invalid_argument("symbol")), "response")
            return
        depth = params.get("depth", 10) if channel == "book" else 0
        if channel == "book" and depth not in BOOK_DEPTHS:
            conn.send(self.reply(method, req_id, time_in, error=invalid_argument("depth")), "response")
            return
        for symbol in symbols:
            self._one(
                conn, method, channel, str(symbol), int(depth), params.get("snapshot", True), req_id, time_in
            )

    def _one(
        self,
        conn: WsConnection,
        method: str,
        channel: str,
        symbol: str,
        depth: int,
        snapshot: bool,
        req_id: Any,
        time_in: int,
    ) -> None:
        try:
            inst = self.ex.pairs.get(symbol)
        except ExchangeError:
            conn.send(
                self._fail(method, req_id, time_in, f"Currency pair not supported {symbol}", symbol),
                "response",
            )
            return
        subs = self._subs[channel][inst.symbol]
        result: dict[str, Any] = {"channel": channel, "symbol": inst.symbol}
        if channel == "book":
            result["depth"] = depth
        if method == "unsubscribe":
            if subs.get(conn) != depth:
                conn.send(self._fail(method, req_id, time_in, "Subscription Not Found", symbol), "response")
                return
            del subs[conn]
            if channel == "book" and depth not in subs.values():
                self.ex.market.pairs[inst.symbol].book.forget(depth)
            conn.send(self.reply(method, req_id, time_in, result=result), "response")
            return
        if conn in subs:
            conn.send(self._fail(method, req_id, time_in, "Already subscribed", symbol), "response")
            return
        result["snapshot"] = bool(snapshot)
        conn.send(self.reply(method, req_id, time_in, result=result), "response")
        subs[conn] = depth
        conn.subscribed = True
        if snapshot:
            self._snapshot(conn, channel, inst.symbol, depth)

    def _fail(self, method: str, req_id: Any, time_in: int, error: str, symbol: str) -> dict[str, Any]:
        out = self.reply(method, req_id, time_in, error=error)
        out["symbol"] = symbol
        return out

    def _snapshot(self, conn: WsConnection, channel: str, symbol: str, depth: int) -> None:
        market = self.ex.market.pairs[symbol]
        if channel == "book":
            book = market.book
            bids, asks = book.snapshot(depth)
            conn.send(
                render_ws.book(
                    "snapshot", symbol, bids, asks, self._checksum(symbol, book.checksum()), book.ts_ns
                ),
                "book",
                symbol,
            )
        elif channel == "trade":
            conn.send(
                render_ws.trades("snapshot", symbol, market.tape.recent(_TRADE_SNAPSHOT)), "trade", symbol
            )
        else:
            conn.send(
                render_ws.ticker(
                    "snapshot", market.instrument, self.ex.market.ticker(symbol), self.ex.market.now_ns
                ),
                "ticker",
                symbol,
            )

    def _instrument_sub(
        self, conn: WsConnection, method: str, params: dict[str, Any], req_id: Any, time_in: int
    ) -> None:
        snapshot = bool(params.get("snapshot", True))
        if method == "unsubscribe":
            self._instrument.discard(conn)
            conn.send(self.reply(method, req_id, time_in, result={"channel": "instrument"}), "response")
            return
        conn.send(
            self.reply(method, req_id, time_in, result={"channel": "instrument", "snapshot": snapshot}),
            "response",
        )
        self._instrument.add(conn)
        conn.subscribed = True
        if snapshot:
            conn.send(render_ws.instruments(self.ex.pairs.instruments.values()), "instrument")

    def forget(self, conn: WsConnection) -> None:
        self._instrument.discard(conn)
        for pairs in self._subs.values():
            for subs in pairs.values():
                subs.pop(conn, None)

    # -- market fan-out -------------------------------------------------------------------------------

    def _checksum(self, symbol: str, checksum: int) -> int:
        return checksum ^ 0x5A5A5A5A if self.ex.faults.corrupt_checksum(symbol) else checksum

    def on_market(self, pair: str, book_changed: bool, trades: list[PublicTrade]) -> None:
        if book_changed:
            subs = self._subs["book"].get(pair)
            if subs:
                self._book(pair, subs)
        if trades:
            trade_subs = self._subs["trade"].get(pair)
            if trade_subs:
                frame = wire.encode(render_ws.trades("update", pair, trades)).decode()
                for conn in list(trade_subs):
                    conn.send(frame, "trade", pair)
            ticker_subs = self._subs["ticker"].get(pair)
            if ticker_subs:
                inst = self.ex.market.pairs[pair].instrument
                frame = wire.encode(
                    render_ws.ticker("update", inst, self.ex.market.ticker(pair), self.ex.market.now_ns)
                ).decode()
                for conn in list(ticker_subs):
                    conn.send(frame, "ticker", pair)

    def _book(self, pair: str, subs: dict[WsConnection, int]) -> None:
        book = self.ex.market.pairs[pair].book
        by_depth: dict[int, list[WsConnection]] = defaultdict(list)
        for conn, depth in subs.items():
            by_depth[depth].append(conn)
        for depth, conns in by_depth.items():
            diff = book.diff(depth)
            if not diff:
                continue
            message = render_ws.book_update(pair, diff, self._checksum(pair, book.checksum()), book.ts_ns)
            frame = wire.encode(message).decode()
            for conn in conns:
                conn.send(frame, "book", pair)

"""Builders for the sim tests: an XRP/USD engine, books, prints, bars and order requests."""

from __future__ import annotations

from decimal import Decimal

from galfriday.core.events import BarClosed, BookLevel, MarketTradeReceived, OrderBookUpdated
from galfriday.core.instruments import default_instruments
from galfriday.core.types import OrderType, Side, TimeInForce
from galfriday.sim.matching import (
    Account,
    ExecType,
    ExecutionReport,
    FillModelConfig,
    MatchingEngine,
    OrderRequest,
)

XRP = default_instruments()["XRP/USD"]
D = Decimal
NS = 1_000_000_000
MIN = 60 * NS


def engine(
    usd: str = "100000", xrp: str = "100000", *, seed: int = 0, **config: object
) -> MatchingEngine:
    """An XRP/USD engine with zero latency unless the test asks for some."""
    config.setdefault("latency_ns", 0)
    return MatchingEngine(XRP, Account({"USD": usd, "XRP": xrp}), FillModelConfig(**config), seed=seed)


def book(ts: int, bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> OrderBookUpdated:
    return OrderBookUpdated(
        ts_event=ts, ts_init=ts, pair="XRP/USD",
        bids=tuple(BookLevel(D(p), D(q)) for p, q in bids),
        asks=tuple(BookLevel(D(p), D(q)) for p, q in asks),
    )


STD_BIDS = [("0.49990", "100"), ("0.49980", "200"), ("0.49970", "300")]
STD_ASKS = [("0.50010", "100"), ("0.50020", "200"), ("0.50030", "300")]


def std_book(ts: int) -> OrderBookUpdated:
    return book(ts, STD_BIDS, STD_ASKS)


def trade(ts: int, price: str, qty: str, side: Side) -> MarketTradeReceived:
    return MarketTradeReceived(ts_event=ts, ts_init=ts, pair="XRP/USD", price=D(price), qty=D(qty), side=side)


def bar(open_time: int, o: str, h: str, low: str, c: str, v: str) -> BarClosed:
    return BarClosed(
        ts_event=open_time + MIN, ts_init=open_time + MIN, pair="XRP/USD", interval_s=60,
        open_time_ns=open_time, open=D(o), high=D(h), low=D(low), close=D(c), volume=D(v),
        vwap=D(c), trade_count=1,
    )


def limit(side: Side, qty: str, price: str, **kw: object) -> OrderRequest:
    return OrderRequest(side=side, order_type=OrderType.LIMIT, qty=D(qty), limit_price=D(price), **kw)


def market(side: Side, qty: str, **kw: object) -> OrderRequest:
    return OrderRequest(side=side, order_type=OrderType.MARKET, qty=D(qty), **kw)


def stop(
    kind: OrderType, side: Side, qty: str, trigger: str, limit_price: str | None = None,
    tif: TimeInForce = TimeInForce.GTC,
) -> OrderRequest:
    return OrderRequest(
        side=side, order_type=kind, qty=D(qty), trigger_price=D(trigger),
        limit_price=D(limit_price) if limit_price else None, time_in_force=tif,
    )


def ioc(side: Side, qty: str, price: str) -> OrderRequest:
    return limit(side, qty, price, time_in_force=TimeInForce.IOC)


def trades_of(reports: list[ExecutionReport]) -> list[ExecutionReport]:
    return [r for r in reports if r.exec_type is ExecType.TRADE]


def kinds(reports: list[ExecutionReport]) -> list[ExecType]:
    return [r.exec_type for r in reports]

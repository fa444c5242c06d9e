"""Test kit for the trading core: instruments, event factories and a recording bus.

Shared by the strategy, risk, portfolio and acceptance tests so every test builds events the
same way and reads as the scenario it checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from galfriday.core.bus import SyncBus
from galfriday.core.events import (
    BarClosed,
    BookLevel,
    Event,
    OrderBookUpdated,
    OrderFilled,
    PredictionMade,
    SignalProposed,
    new_id,
)
from galfriday.core.instruments import Instrument, default_instruments
from galfriday.core.types import LiquiditySide, OrderType, Side

E = TypeVar("E", bound=Event)

# Monday 2024-05-06 10:00:00 UTC: a weekday morning, far from both reset boundaries.
T0 = int(datetime(2024, 5, 6, 10, 0, tzinfo=UTC).timestamp()) * 1_000_000_000
SECOND = 1_000_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

INSTRUMENTS: dict[str, Instrument] = default_instruments()
XRP = INSTRUMENTS["XRP/USD"]
DOGE = INSTRUMENTS["DOGE/USD"]


def D(value: str | int) -> Decimal:
    return Decimal(value)


def book(pair: str, bid: str, ask: str, ts: int = T0) -> OrderBookUpdated:
    return OrderBookUpdated(
        ts_event=ts,
        ts_init=ts,
        pair=pair,
        bids=(BookLevel(D(bid), D(1000)),),
        asks=(BookLevel(D(ask), D(1000)),),
    )


def bar(
    pair: str,
    close: str,
    *,
    high: str | None = None,
    low: str | None = None,
    open_: str | None = None,
    ts: int = T0,
    interval_s: int = 60,
) -> BarClosed:
    c = D(close)
    return BarClosed(
        ts_event=ts,
        ts_init=ts,
        pair=pair,
        interval_s=interval_s,
        open_time_ns=ts - interval_s * SECOND,
        open=D(open_ or close),
        high=D(high or close),
        low=D(low or close),
        close=c,
        volume=D(100),
        vwap=c,
        trade_count=10,
    )


def prediction(pair: str, p_up: float, ts: int = T0) -> PredictionMade:
    return PredictionMade(
        ts_event=ts, ts_init=ts, pair=pair, model_id="m1", prediction_target="up_5m", p_up=p_up
    )


def fill(
    pair: str,
    side: Side,
    qty: str | Decimal,
    price: str | Decimal,
    *,
    fee: str | Decimal = "0",
    fee_currency: str = "USD",
    client_order_id: str | None = None,
    leaves: str = "0",
    ts: int = T0,
    fill_id: str | None = None,
) -> OrderFilled:
    q = D(qty) if isinstance(qty, str) else qty
    return OrderFilled(
        ts_event=ts,
        ts_init=ts,
        client_order_id=client_order_id or new_id(),
        exchange_order_id="O-1",
        fill_id=fill_id or new_id(),
        pair=pair,
        side=side,
        qty=q,
        price=D(price) if isinstance(price, str) else price,
        fee=D(fee) if isinstance(fee, str) else fee,
        fee_currency=fee_currency,
        liquidity=LiquiditySide.TAKER,
        cum_qty=q,
        leaves_qty=D(leaves),
    )


def signal(
    pair: str = "XRP/USD",
    *,
    entry: str | None = "0.50000",
    sl: str = "0.49000",
    tp: str = "0.52000",
    side: Side = Side.BUY,
    entry_type: OrderType | None = None,
    ts: int = T0,
) -> SignalProposed:
    return SignalProposed(
        ts_event=ts,
        ts_init=ts,
        signal_id=new_id(),
        pair=pair,
        strategy_id="test",
        side=side,
        entry_type=entry_type or (OrderType.LIMIT if entry is not None else OrderType.MARKET),
        entry_price=None if entry is None else D(entry),
        sl_price=D(sl),
        tp_price=D(tp),
    )


class Recorder:
    """Every event published on a SyncBus, in publish order."""

    def __init__(self, bus: SyncBus) -> None:
        self.events: list[Event] = []
        bus.subscribe(Event, self.events.append, name="test.recorder")

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    def last(self, kind: type[E]) -> E:
        found = self.of(kind)
        assert found, f"no {kind.__name__} was published"
        return found[-1]

    def clear(self) -> None:
        self.events.clear()


def publish_all(bus: SyncBus, events: Iterable[Any]) -> None:
    for event in events:
        bus.publish(event)

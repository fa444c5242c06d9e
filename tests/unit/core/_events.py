"""Small event factories for core tests."""

from __future__ import annotations

from decimal import Decimal

from galfriday.core.events import BarClosed, Event, TimeEvent


def tick(name: str, ts: int = 0, correlation_id: str = "") -> TimeEvent:
    return TimeEvent(ts_event=ts, ts_init=ts, name=name, correlation_id=correlation_id)


def bar(pair: str = "XRP/USD", close: str = "0.5") -> BarClosed:
    p = Decimal(close)
    return BarClosed(
        ts_event=0, ts_init=0, pair=pair, interval_s=60, open_time_ns=0, open=p, high=p, low=p,
        close=p, volume=Decimal(1), vwap=p, trade_count=1,
    )


__all__ = ["Event", "bar", "tick"]

"""24-hour statistics for REST ``Ticker`` and the WS ``ticker`` channel, from the exchange's candles.

Windows as Kraken defines them: "today" since 00:00 UTC (market time) and the rolling last 24
hours, summed over the finest candle series the pair has. Best bid/ask come from the public
book, the last price from the last print (or the last candle's close on a candle replay).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from galfriday.marketdata.bars import vwap_of
from galfriday.sim.server.ohlc import Candle, OhlcStore
from galfriday.sim.server.public_book import PublicBook
from galfriday.sim.server.tape import TradeTape

NS_PER_S = 1_000_000_000
_DAY_S = 86_400
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Window:
    volume: Decimal
    vwap: Decimal
    trades: int
    low: Decimal
    high: Decimal
    open: Decimal


@dataclass(frozen=True, slots=True)
class TickerStats:
    bid: tuple[Decimal, Decimal] | None  # (price, qty) of the best level
    ask: tuple[Decimal, Decimal] | None
    last: tuple[Decimal, Decimal] | None  # (price, qty) of the last trade
    today: Window
    day: Window  # rolling 24 h


def _window(candles: list[Candle], fallback: Decimal) -> Window:
    if not candles:
        return Window(ZERO, fallback, 0, fallback, fallback, fallback)
    volume = sum((c.volume for c in candles), ZERO)
    notional = sum((c.notional for c in candles), ZERO)
    return Window(
        volume=volume,
        vwap=vwap_of(notional, volume) if volume else candles[-1].close,
        trades=sum(c.count for c in candles),
        low=min(c.low for c in candles),
        high=max(c.high for c in candles),
        open=candles[0].open,
    )


def ticker_stats(book: PublicBook, tape: TradeTape, ohlc: OhlcStore, now_ns: int) -> TickerStats:
    series = ohlc.finest()
    candles = list(series.candles) if series is not None else []
    trade = tape.last
    if trade is not None:
        last: tuple[Decimal, Decimal] | None = (trade.price, trade.qty)
    elif candles:
        last = (candles[-1].close, ZERO)
    else:
        last = None
    now_s = now_ns // NS_PER_S
    midnight = now_s - now_s % _DAY_S
    fallback = last[0] if last else ZERO
    return TickerStats(
        bid=(book.bids[0].price, book.bids[0].qty) if book.bids else None,
        ask=(book.asks[0].price, book.asks[0].qty) if book.asks else None,
        last=last,
        today=_window([c for c in candles if c.open_s >= midnight], fallback),
        day=_window([c for c in candles if c.open_s > now_s - _DAY_S], fallback),
    )

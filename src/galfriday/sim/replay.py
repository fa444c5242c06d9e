"""Replay recorded or imported market data as events, in timestamp order, at 1x, Nx or max speed.

Sources (each reads its Parquet file once, at construction, so a bad file fails early):
- ``CandleFile``: columns ``timestamp`` (the bar's open time), ``open``, ``high``, ``low``,
  ``close``, ``volume`` [, ``vwap``] [, ``count``] -> ``BarClosed`` stamped at the bar's close
  (open time + interval; the interval is inferred as the most common step between rows unless
  given). Without a ``vwap`` column the typical price (H+L+C)/3 stands in, at the close's precision.
- ``TradeFile``: columns ``timestamp``, ``price``, ``qty`` [, ``side``] [, ``trade_id``] ->
  ``MarketTradeReceived``. ``side`` is the aggressor (``buy``/``sell``/``b``/``s``); a
  ``buyer_maker`` column (as Binance exports) means the seller was the aggressor. Without either,
  the tick rule infers it: a higher price than the previous trade is a buy, lower a sell, equal
  repeats the previous side (the first trade counts as a buy).
Also accepted, for files written by other tools: ``date``/``time`` for ``timestamp`` and
``quantity``/``volume``/``amount`` for ``qty``.

Timestamps: Arrow timestamps/dates of any unit or zone; integers in s, ms, us or ns (unit
inferred from the magnitude); floats as Unix seconds (Kraken's REST format). Numbers: decimals
and strings are exact; floats become the shortest decimal that round-trips (``repr``), which is the
number the writer meant whenever the source was decimal text. Pass an ``instrument`` to snap prices
to its tick and quantities to its lot (half-even).

``Replay`` merges sources (any iterables of events sorted by ``ts_event``) into one stream: iterate
it for max speed (backtests), or ``async for event in replay.paced(speed)`` to wait out the gaps
between events at ``speed`` times real time (1.0 = as recorded).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from galfriday.core.events import BarClosed, Event, MarketTradeReceived
from galfriday.core.instruments import Instrument, round_to_increment
from galfriday.core.types import Side
from galfriday.sim.errors import SimError
from galfriday.sim.ids import EventIds

NS_PER_S = 1_000_000_000
_ALIASES = {"timestamp": ("timestamp", "date", "time"), "qty": ("qty", "quantity", "volume", "amount")}
_SIDES = {"buy": Side.BUY, "b": Side.BUY, "sell": Side.SELL, "s": Side.SELL}
_YIELD_EVERY = 1_000  # a paced replay that is behind schedule still lets other tasks run


# -- columns -> Python values ---------------------------------------------------------------------


def _optional(table: pa.Table, name: str) -> pa.ChunkedArray | None:
    for candidate in _ALIASES.get(name, (name,)):
        if candidate in table.column_names:
            return table.column(candidate)
    return None


def _column(table: pa.Table, name: str, path: Path) -> pa.ChunkedArray:
    column = _optional(table, name)
    if column is None:
        raise SimError(
            f"{path}: no {name!r} column (it has {table.column_names}); see sim.replay for the layout"
        )
    if column.null_count:
        raise SimError(f"{path}: {column.null_count} empty value(s) in {name!r}; drop or fill those rows")
    return column


def _timestamps_ns(column: pa.ChunkedArray, path: Path) -> list[int]:
    kind = column.type
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return pc.cast(pc.cast(column, pa.timestamp("ns")), pa.int64()).to_pylist()
    if pa.types.is_integer(kind):
        values = column.to_pylist()
        biggest = max((abs(v) for v in values), default=0)
        scale = next(
            s
            for limit, s in ((1e11, NS_PER_S), (1e14, 10**6), (1e17, 10**3), (math.inf, 1))
            if biggest < limit
        )
        return [v * scale for v in values]
    if pa.types.is_floating(kind):
        seconds = [Decimal(repr(v)) for v in column.to_pylist()]
        return [int(s.scaleb(9).to_integral_value(ROUND_HALF_EVEN)) for s in seconds]
    raise SimError(f"{path}: timestamp column of type {kind} is not a time; use timestamps, ints or floats")


def _decimals(column: pa.ChunkedArray, step: Decimal | None) -> list[Decimal]:
    values = column.to_pylist()
    if pa.types.is_floating(column.type):
        out = [Decimal(repr(v)) for v in values]
    else:
        out = [v if isinstance(v, Decimal) else Decimal(v) for v in values]
    return out if step is None else [round_to_increment(v, step) for v in out]


def _sorted_by_time(path: Path, columns: list[str]) -> tuple[pa.Table, list[int], list[int]]:
    table = pq.read_table(path)
    ts = _timestamps_ns(_column(table, "timestamp", path), path)
    order = list(range(len(ts)))
    if any(b < a for a, b in itertools.pairwise(ts)):
        order.sort(key=ts.__getitem__)  # stable: rows with equal times keep their file order
    for name in columns:
        _column(table, name, path)
    return table, ts, order


# -- sources --------------------------------------------------------------------------------------


class CandleFile:
    """OHLCV rows of one pair as ``BarClosed`` events (see the module docstring)."""

    def __init__(
        self,
        path: str | Path,
        pair: str,
        *,
        interval_s: int | None = None,
        instrument: Instrument | None = None,
    ) -> None:
        self.path, self.pair = Path(path), pair
        table, ts, order = _sorted_by_time(self.path, ["open", "high", "low", "close", "volume"])
        self._open_ns = [ts[i] for i in order]
        self.interval_s = interval_s or self._infer_interval()
        tick, lot = (instrument.tick, instrument.lot) if instrument else (None, None)
        cols: dict[str, list[Any]] = {
            name: _decimals(_column(table, name, self.path), lot if name == "volume" else tick)
            for name in ("open", "high", "low", "close", "volume")
        }
        vwap = _optional(table, "vwap")
        cols["vwap"] = _decimals(vwap, tick) if vwap is not None else [None] * len(ts)
        count = _optional(table, "count")
        cols["count"] = count.to_pylist() if count is not None else [0] * len(ts)
        self._rows = [
            tuple(cols[c][i] for c in ("open", "high", "low", "close", "volume", "vwap", "count"))
            for i in order
        ]
        self._ids = EventIds(f"replay:candles:{self.path.name}:{pair}")

    def __len__(self) -> int:
        return len(self._rows)

    def _infer_interval(self) -> int:
        steps = [b - a for a, b in itertools.pairwise(self._open_ns[:1001]) if b > a]
        if not steps:
            raise SimError(f"{self.path}: cannot infer the bar interval from one row; pass interval_s")
        return statistics.mode(steps) // NS_PER_S

    def __iter__(self) -> Iterator[BarClosed]:
        interval_ns = self.interval_s * NS_PER_S
        for open_ns, (o, h, low, c, v, vwap, count) in zip(self._open_ns, self._rows, strict=True):
            ts = open_ns + interval_ns
            yield BarClosed(
                ts_event=ts,
                ts_init=ts,
                event_id=self._ids(),
                pair=self.pair,
                interval_s=self.interval_s,
                open_time_ns=open_ns,
                open=o,
                high=h,
                low=low,
                close=c,
                volume=v,
                vwap=vwap if vwap is not None else ((h + low + c) / 3).quantize(c),
                trade_count=count,
            )


class TradeFile:
    """Trade rows of one pair as ``MarketTradeReceived`` events (see the module docstring)."""

    def __init__(self, path: str | Path, pair: str, *, instrument: Instrument | None = None) -> None:
        self.path, self.pair = Path(path), pair
        table, ts, order = _sorted_by_time(self.path, ["price", "qty"])
        tick, lot = (instrument.tick, instrument.lot) if instrument else (None, None)
        prices = _decimals(_column(table, "price", self.path), tick)
        qtys = _decimals(_column(table, "qty", self.path), lot)
        ids = _optional(table, "trade_id")
        trade_ids = [str(i) for i in ids.to_pylist()] if ids is not None else [str(i) for i in range(len(ts))]
        sides = self._sides(table, prices, order)
        self._rows = [(ts[i], prices[i], qtys[i], sides[i], trade_ids[i]) for i in order]
        self._ids = EventIds(f"replay:trades:{self.path.name}:{pair}")

    def __len__(self) -> int:
        return len(self._rows)

    def _sides(self, table: pa.Table, prices: list[Decimal], order: list[int]) -> list[Side]:
        if "side" in table.column_names:
            try:
                return [_SIDES[str(s).strip().lower()] for s in table.column("side").to_pylist()]
            except KeyError as e:
                raise SimError(f"{self.path}: side {e.args[0]!r} is not buy/sell/b/s") from None
        if "buyer_maker" in table.column_names:
            flags = [str(f).strip().lower() == "true" for f in table.column("buyer_maker").to_pylist()]
            return [Side.SELL if maker else Side.BUY for maker in flags]
        sides: list[Side] = [Side.BUY] * len(prices)
        previous, side = None, Side.BUY  # the tick rule, in time order
        for i in order:
            if previous is not None and prices[i] != previous:
                side = Side.BUY if prices[i] > previous else Side.SELL
            sides[i], previous = side, prices[i]
        return sides

    def __iter__(self) -> Iterator[MarketTradeReceived]:
        for ts, price, qty, side, trade_id in self._rows:
            yield MarketTradeReceived(
                ts_event=ts,
                ts_init=ts,
                event_id=self._ids(),
                pair=self.pair,
                price=price,
                qty=qty,
                side=side,
                trade_id=trade_id,
            )


# -- merging and pacing ---------------------------------------------------------------------------


class Replay:
    """Several time-sorted sources as one time-ordered stream (ties: in the order sources were given)."""

    def __init__(self, *sources: Iterable[Event]) -> None:
        if not sources:
            raise SimError("Replay needs at least one source (a CandleFile, TradeFile or any event iterable)")
        self._sources = sources

    def __iter__(self) -> Iterator[Event]:
        """Every event as fast as the consumer takes them (backtests)."""
        return heapq.merge(*self._sources, key=_event_time)

    async def paced(
        self,
        speed: float = 1.0,
        *,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> AsyncIterator[Event]:
        """Events at ``speed`` x real time: 1.0 as recorded, 10.0 ten times faster, ``math.inf``
        as fast as possible (still yielding to the event loop now and then)."""
        if not speed > 0:
            raise SimError(f"speed must be > 0 (1.0 = real time, math.inf = no waiting), got {speed}")
        start_wall = clock()
        first_ts: int | None = None
        for n, event in enumerate(self, 1):
            if first_ts is None:
                first_ts = event.ts_event
            delay = start_wall + (event.ts_event - first_ts) / NS_PER_S / speed - clock()
            if delay > 0:
                await sleep(delay)
            elif n % _YIELD_EVERY == 0:
                await sleep(0)
            yield event


def _event_time(event: Event) -> int:
    return event.ts_event

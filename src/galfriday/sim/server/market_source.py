"""Where the simulated market comes from: the seeded generator, or recorded Parquet files.

- Default: ``sim.market.MarketGenerator`` for the configured pairs (XRP/USD and DOGE/USD), started
  at the wall time of boot so market time equals exchange time at 1x. It never ends.
- ``--data PAIR=FILE``: each file is read by ``sim.replay`` as candles (columns open/high/low/
  close/volume) or trades (columns price/qty), whichever its columns say; files are merged in time
  order by ``Replay`` and the market stops when they end (the exchange keeps serving).

A pair replayed from candles or trades has no recorded book: ``FeedKind`` tells the public market
to show a synthetic book around the last price (for WS/Depth clients) that the matching engine
never sees — it fills on the bars or prints alone, as in a backtest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

import pyarrow.parquet as pq

from galfriday.core.events import Event
from galfriday.core.instruments import Instrument
from galfriday.sim.errors import SimError
from galfriday.sim.market import MarketGenerator, default_profiles
from galfriday.sim.replay import CandleFile, Replay, TradeFile
from galfriday.sim.server.config import DataFile

_GENERATOR_BATCH = 512


class FeedKind(StrEnum):
    BOOKS = "books"  # generator: L2 books and trade prints
    TRADES = "trades"  # recorded trades: prints only
    BARS = "bars"  # recorded candles


@dataclass(frozen=True, slots=True)
class MarketSource:
    events: Replay
    kinds: dict[str, FeedKind]  # pair -> what its data is


def _endless(generator: MarketGenerator) -> Iterator[Event]:
    while True:
        yield from generator.events(max_events=_GENERATOR_BATCH)


def generated_market(instruments: Sequence[Instrument], *, seed: int, start_ns: int) -> MarketSource:
    profiles = [p for p in default_profiles() if p.instrument.symbol in {i.symbol for i in instruments}]
    missing = {i.symbol for i in instruments} - {p.instrument.symbol for p in profiles}
    if missing:
        raise SimError(f"the market generator has no profile for {sorted(missing)}; pass --data for them")
    generator = MarketGenerator(profiles, seed=seed, start_ns=start_ns)
    return MarketSource(Replay(_endless(generator)), {p: FeedKind.BOOKS for p in generator.pairs})


def _file_kind(data: DataFile) -> FeedKind:
    try:
        names = set(pq.read_schema(data.path).names)
    except (OSError, ValueError) as exc:
        raise SimError(f"--data {data.pair}={data.path}: not a readable Parquet file ({exc})") from None
    if {"open", "high", "low", "close"} <= names:
        return FeedKind.BARS
    if "price" in names:
        return FeedKind.TRADES
    raise SimError(
        f"--data {data.path}: columns {sorted(names)} are neither candles (open/high/low/close/volume) "
        "nor trades (price/qty); see sim.replay"
    )


def recorded_market(files: Sequence[DataFile], instruments: dict[str, Instrument]) -> MarketSource:
    kinds: dict[str, FeedKind] = {}
    sources: list[Iterable[Event]] = []
    for data in files:
        kind = _file_kind(data)
        if kinds.setdefault(data.pair, kind) is not kind:
            raise SimError(f"--data {data.pair}: mix of candles and trades; the engine matches on one kind")
        inst = instruments[data.pair]
        sources.append(
            CandleFile(data.path, data.pair, instrument=inst)
            if kind is FeedKind.BARS
            else TradeFile(data.path, data.pair, instrument=inst)
        )
    return MarketSource(Replay(*sources), kinds)

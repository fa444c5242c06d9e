"""The market data of a study: opened once per process, then cut into windows without copying files.

A task that runs in another process (``runner``) gets a ``MarketData`` — the ``--data`` arguments
and the study's range, a few bytes — rather than the events, and opens it there; each process keeps
what it opened (``open_market``), so the optimisation trials and windows a worker runs read the files
once. Events are kept in memory as the backtest reads them (``BarClosed`` rounded to the instrument's
tick and lot), and a window is a slice of them: the engine replays exactly those, the model trains on
exactly the candles of its training range.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from galfriday.backtest.feeds import DataKind, Feed, feed_from_specs
from galfriday.backtest.instruments import backtest_instruments
from galfriday.backtest.research.errors import ResearchError
from galfriday.config import Settings
from galfriday.core.events import BarClosed, Event
from galfriday.core.instruments import Instrument
from galfriday.features.candles import CandleColumns

NS_PER_S = 1_000_000_000
_KEEP = 4  # markets kept per process (a study uses one; tests a few)


@dataclass(frozen=True)
class MarketData:
    specs: tuple[str, ...]  # ``--data`` arguments: FILE, PAIR=FILE or a history folder
    interval_s: int  # bars of history folders, and bars built from trades
    start_ns: int | None = None  # the study's range, [start, end) on bar open / tick time
    end_ns: int | None = None
    asset_pairs: Path | None = None  # a saved AssetPairs response for pairs beyond the defaults


@dataclass(frozen=True)
class Market:
    """Every event of the study's range, per source, with the time each is windowed by."""

    kind: DataKind
    interval_s: int
    sources: tuple[tuple[Event, ...], ...]
    keys: tuple[tuple[int, ...], ...]  # a bar's open time, a tick's own time
    descriptions: tuple[str, ...]

    @property
    def start_ns(self) -> int:
        return min(keys[0] for keys in self.keys if keys)

    @property
    def end_ns(self) -> int:
        """Just after the data: the close of the last bar (or the last tick + 1 ns)."""
        last = max(keys[-1] for keys in self.keys if keys)
        return last + (self.interval_s * NS_PER_S if self.kind is DataKind.BARS else 1)

    def feed(self, start_ns: int, end_ns: int) -> Feed:
        """The events of ``[start_ns, end_ns)`` as a feed for the engine."""
        sources = tuple(
            events[bisect.bisect_left(keys, start_ns) : bisect.bisect_left(keys, end_ns)]
            for events, keys in zip(self.sources, self.keys, strict=True)
        )
        return Feed(sources, self.kind, self.interval_s, descriptions=self.descriptions)

    def require_candles(self) -> None:
        if self.kind is not DataKind.BARS:
            raise ResearchError(
                "models train on candles, and this data holds trades: give candle files (or a history "
                "folder of candles) with --data, or walk forward a rule strategy (--strategy sma|rsi)"
            )

    def bars(self, pair: str, start_ns: int, end_ns: int) -> list[BarClosed]:
        """The candles of ``pair`` opened in ``[start_ns, end_ns)`` (what a model may train on)."""
        self.require_candles()
        out: list[BarClosed] = []
        for events, keys in zip(self.sources, self.keys, strict=True):
            window = events[bisect.bisect_left(keys, start_ns) : bisect.bisect_left(keys, end_ns)]
            out.extend(e for e in window if isinstance(e, BarClosed) and e.pair == pair)
        return out


_opened: dict[tuple[MarketData, tuple[str, ...]], Market] = {}


def open_market(data: MarketData, settings: Settings) -> tuple[dict[str, Instrument], Market]:
    """The instruments of ``settings.pairs`` (fees from ``settings``) and the market, opened at most
    once per process."""
    pairs = tuple(settings.pairs)
    instruments = backtest_instruments(settings, pairs, asset_pairs_file=data.asset_pairs)
    key = (data, pairs)
    market = _opened.get(key)
    if market is None:
        market = _read(data, instruments)
        if len(_opened) >= _KEEP:
            _opened.pop(next(iter(_opened)))
        _opened[key] = market
    return instruments, market


def _read(data: MarketData, instruments: Mapping[str, Instrument]) -> Market:
    feed = feed_from_specs(
        data.specs or (), instruments, interval_s=data.interval_s, start_ns=data.start_ns, end_ns=data.end_ns
    )
    sources, keys = [], []
    for source in feed.sources:
        events = tuple(_within(source, data.start_ns, data.end_ns))
        sources.append(events)
        keys.append(tuple(_key(e) for e in events))
    if not any(keys):
        raise ResearchError("the data holds no market events in the requested range: widen --from/--to")
    return Market(feed.kind, feed.bar_interval_s, tuple(sources), tuple(keys), feed.descriptions)


def _key(event: Event) -> int:
    return event.open_time_ns if isinstance(event, BarClosed) else event.ts_event


def _within(events: Iterable[Event], start_ns: int | None, end_ns: int | None) -> list[Event]:
    lo = -1 if start_ns is None else start_ns
    hi = 1 << 63 if end_ns is None else end_ns
    return [e for e in events if lo <= _key(e) < hi]


def bar_columns(bars: Sequence[BarClosed]) -> CandleColumns:
    """Candles as the columns feature computation and labelling read (floats: features live there)."""
    if not bars:
        raise ResearchError("no candles in the training range: widen --train or check the data's range")

    def column(name: str) -> np.ndarray:
        return np.array([float(getattr(b, name)) for b in bars], dtype=np.float64)

    return CandleColumns(
        np.array([b.open_time_ns for b in bars], dtype=np.int64),
        column("open"),
        column("high"),
        column("low"),
        column("close"),
        column("volume"),
    )


@dataclass(frozen=True)
class ResearchSetup:
    """What every task of a study needs, sent to each worker: the settings, the data, the venue's seed."""

    settings: Settings
    data: MarketData
    seed: int = 0

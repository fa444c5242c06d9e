"""``Feed``: the market a backtest replays — time-merged sources of one kind, cut to a window.

A feed is either bars (candles: the venue fills on bars, the bar model of ``sim.matching``) or
ticks (trade prints and/or L2 books: the venue fills on them, and strategies get bars built from
the trades by the same ``BarAggregator`` live trading uses). The two are never mixed: one matching
engine cannot fill on both without counting the same trades twice.

Sources are any iterables of market events sorted by ``ts_event`` — replay files, the seeded
``MarketGenerator``, a list built in a test — merged by ``sim.replay.Replay`` (ties keep the order
the sources were given, so several pairs interleave the same way every run). The window
``[start_ns, end_ns)`` applies to a bar's open time and a tick's own time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sized
from dataclasses import dataclass
from enum import StrEnum

from galfriday.backtest.errors import BacktestError
from galfriday.core.events import BarClosed, Event
from galfriday.sim.replay import Replay


class DataKind(StrEnum):
    BARS = "bars"
    TICKS = "ticks"


@dataclass(frozen=True)
class Feed:
    sources: tuple[Iterable[Event], ...]
    kind: DataKind
    bar_interval_s: int  # the candles' interval, or the interval bars are built at from trades
    start_ns: int | None = None
    end_ns: int | None = None
    descriptions: tuple[str, ...] = ()  # what each source is, for the result's metadata

    def __post_init__(self) -> None:
        if not self.sources:
            raise BacktestError("a feed needs at least one source of market events")
        if self.bar_interval_s < 1:
            raise BacktestError(f"bar_interval_s must be >= 1 s, got {self.bar_interval_s}")
        if self.start_ns is not None and self.end_ns is not None and self.end_ns <= self.start_ns:
            raise BacktestError("the window is empty: --to must be after --from")

    @property
    def size(self) -> int | None:
        """How many events the sources hold before the window cut (None when a source cannot tell)."""
        if all(isinstance(s, Sized) for s in self.sources):
            return sum(len(s) for s in self.sources)  # type: ignore[arg-type]
        return None

    def __iter__(self) -> Iterator[Event]:
        events = iter(Replay(*self.sources))
        if self.start_ns is None and self.end_ns is None:
            return events
        return _within(events, self.start_ns, self.end_ns)


def _within(events: Iterator[Event], start_ns: int | None, end_ns: int | None) -> Iterator[Event]:
    lo = start_ns if start_ns is not None else -1
    hi = end_ns if end_ns is not None else 1 << 63
    for event in events:
        ts = event.open_time_ns if isinstance(event, BarClosed) else event.ts_event
        if lo <= ts < hi:
            yield event

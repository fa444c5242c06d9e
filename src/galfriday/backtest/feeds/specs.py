"""``--data`` arguments -> a ``Feed``: which file or history folder holds which pair's market data.

Each argument is ``PATH`` or ``PAIR=PATH``:
- a folder is a history store (``galfriday data import|download`` writes one): every traded pair's
  candles of ``interval_s`` are loaded from it, only the requested window;
- a file holds one pair's candles or trades (CSV, Parquet, Feather); name the pair with
  ``PAIR=PATH`` unless exactly one pair is traded.
All sources must be of one kind (candles, or trades), and candles of one interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from galfriday.backtest.errors import BacktestError
from galfriday.backtest.feeds.feed import DataKind, Feed
from galfriday.backtest.feeds.files import Source, open_file, open_history
from galfriday.core.instruments import Instrument
from galfriday.sim.replay import CandleFile


def parse_spec(spec: str, pairs: Sequence[str]) -> tuple[list[str], Path]:
    """The pairs a ``--data`` argument is for, and its path."""
    pair, sep, path = spec.partition("=")
    if sep and "/" in pair:
        if pair not in pairs:
            raise BacktestError(
                f"--data {spec}: {pair} is not traded here (pairs: {', '.join(pairs)}); add --pair {pair}"
            )
        return [pair], Path(path)
    target = Path(spec)
    if target.is_dir():
        return list(pairs), target
    if len(pairs) != 1:
        raise BacktestError(
            f"--data {spec}: which pair is it? Write --data PAIR={spec} (pairs traded: {', '.join(pairs)})"
        )
    return list(pairs), target


def feed_from_specs(
    specs: Sequence[str],
    instruments: Mapping[str, Instrument],
    *,
    interval_s: int,
    start_ns: int | None = None,
    end_ns: int | None = None,
) -> Feed:
    """Open every source and check they make one feed (see the module docstring)."""
    if not specs:
        raise BacktestError("no market data: pass --data PATH (a candle/trade file or a history folder)")
    pairs = list(instruments)
    sources: list[Source] = []
    descriptions: list[str] = []
    for spec in specs:
        spec_pairs, path = parse_spec(spec, pairs)
        for pair in spec_pairs:
            if path.is_dir():
                source: Source = open_history(
                    path, pair, instruments[pair], interval_s=interval_s, start_ns=start_ns, end_ns=end_ns
                )
            else:
                source = open_file(path, pair, instruments[pair])
            sources.append(source)
            descriptions.append(
                f"{pair}: {path} ({len(source)} {'candles' if isinstance(source, CandleFile) else 'trades'})"
            )
    missing = sorted(set(pairs) - {s.pair for s in sources})
    if missing:
        raise BacktestError(
            f"no market data for {', '.join(missing)}: add --data {missing[0]}=PATH or drop the pair"
        )
    return Feed(
        tuple(sources), *_kind_and_interval(sources, interval_s), start_ns, end_ns, tuple(descriptions)
    )


def _kind_and_interval(sources: Sequence[Source], tick_interval_s: int) -> tuple[DataKind, int]:
    candles = [s for s in sources if isinstance(s, CandleFile)]
    if candles and len(candles) != len(sources):
        raise BacktestError(
            "the data mixes candles and trades: the venue fills on one kind only; give candles for every "
            "pair or trades for every pair"
        )
    if not candles:
        return DataKind.TICKS, tick_interval_s
    intervals = sorted({c.interval_s for c in candles})
    if len(intervals) > 1:
        raise BacktestError(
            f"the candle files have different intervals ({', '.join(f'{i}s' for i in intervals)}): "
            "resample them to one interval"
        )
    return DataKind.BARS, intervals[0]

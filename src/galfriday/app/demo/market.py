"""The demo's market: weeks of synthetic one-minute candles per pair, and the tape that follows.

One seeded series per pair (``sim.market.candles``) is cut in three, in time order:
- *train* (the first ``train_share`` of the history): what the models learn from;
- *test* (the rest of the history): what the backtest replays — the models never saw it;
- *paper* (the bars after the history): the exchange simulator streams them as trade prints to the
  paper session, re-stamped to start at the moment the session starts (a paper session runs on
  the wall clock, accelerated, and cannot trade in the past).

The series carries a planted trend persistence (``DEMO_MARKET``) so the pipeline has something to
find: with none, the gates would (rightly) refuse every model and the paper session would trade a
rule baseline instead. The demo says so on screen; a synthetic edge proves the plumbing, not a
strategy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from galfriday.core.errors import ConfigError
from galfriday.core.instruments import Instrument
from galfriday.sim.market import default_profiles
from galfriday.sim.market.candles import CandleProfile, candles_as_trades, synthetic_candles

NS_PER_MINUTE = 60_000_000_000
#: A lively market (0.25 % a minute) whose trends persist for ~100 minutes, pulled gently back to
#: its start so two weeks stay within about 0.7x-1.6x of it.
DEMO_MARKET = {"volatility": 0.0025, "drift_persistence": 0.99, "drift_share": 0.5, "reversion": 0.004}


@dataclass(frozen=True)
class PairData:
    pair: str
    train: Path
    test: Path
    paper: pa.Table  # candles, re-stamped and written as a tape by ``write_tape``
    train_bars: int
    test_bars: int


def write_history(
    folder: Path,
    instruments: dict[str, Instrument],
    pairs: Sequence[str],
    *,
    days: float,
    paper_minutes: int,
    end_ns: int,
    seed: int,
    train_share: float = 0.7,
) -> list[PairData]:
    """Candle files for every pair, the history ending at ``end_ns`` (rounded down to a minute)."""
    starts = {p.instrument.symbol: p.start_price for p in default_profiles()}
    unknown = [pair for pair in pairs if pair not in starts]
    if unknown:
        raise ConfigError(
            f"the demo's synthetic market has {sorted(starts)} only, not {unknown}: set pairs to those"
        )
    history = int(days * 1440)
    first_ns = end_ns // NS_PER_MINUTE * NS_PER_MINUTE - history * NS_PER_MINUTE
    split = int(history * train_share)
    out = []
    for pair in pairs:
        profile = CandleProfile(instrument=instruments[pair], start_price=starts[pair], **DEMO_MARKET)
        candles = synthetic_candles(profile, bars=history + paper_minutes, start_ns=first_ns, seed=seed)
        stem = pair.replace("/", "_")
        train, test = folder / f"{stem}-1m-train.parquet", folder / f"{stem}-1m-test.parquet"
        pq.write_table(candles.slice(0, split), train)
        pq.write_table(candles.slice(split, history - split), test)
        out.append(PairData(pair, train, test, candles.slice(history), split, history - split))
    return out


def write_tape(folder: Path, data: PairData, instrument: Instrument, start_ns: int) -> Path:
    """The paper bars as trade prints, the first bar opening at ``start_ns`` (rounded down to a minute)."""
    stamps = data.paper.column("timestamp")
    shift = start_ns // NS_PER_MINUTE * NS_PER_MINUTE - stamps[0].as_py()
    candles = data.paper.set_column(0, "timestamp", pc.add(stamps, pa.scalar(shift, pa.int64())))
    path = folder / f"{data.pair.replace('/', '_')}-paper-trades.parquet"
    pq.write_table(candles_as_trades(candles, instrument), path)
    return path

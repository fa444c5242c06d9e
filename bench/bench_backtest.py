"""Backtest throughput: 1-minute bars per second through the full event-driven kernel, side by side
with backtesting.py, backtrader and vectorbt on the same bars and the same rule.

Run: python -m bench.bench_backtest [--bars 300000] [--model-bars 100000] [--repeat 3] [--profile]

Data: seeded synthetic 1-minute candles (a geometric random walk around 0.5 USD, prices on
XRP/USD's 0.00001 tick, a constant volume), written to a temporary Parquet file and read back the
way a backtest reads real data (``CandleFile``: exact Decimals).
Rule (every engine): long-only SMA(10)/SMA(30) crossover, market orders at the next bar's open,
0.26 % commission per fill. Ours runs the whole kernel — SyncBus, SimClock, venue + matching
engine, StrategyArbitrator, RiskManager (8 stages, audit record), PortfolioManager (Decimal
ledger), HaltCoordinator triggers, ExecutionHandler with its take-profit leg and client-side stop,
the equity sampler and the run recorder — with the stop and take-profit set out of reach and the
HALT triggers out of reach, so it trades the same crossovers as the peers.

What is counted (one core, wall time; every engine run ``--repeat`` times, the median reported and
the best shown beside it — on a shared machine the spread is wide):
- ours, pipeline: bars/s of ``BacktestEngine.run`` over events built beforehand;
- ours, with event construction: the same plus building the ``BarClosed`` events from the Parquet
  columns (exact Decimal prices) — what a CLI run pays;
- ours, model: FeatureEngine (``bars_v1``, 14 indicators) + PredictionService (inline) with a
  one-feature rule model (P(up) = 1 − RSI/100), in the engine's default batch mode — the feature
  vectors and the predictions of the whole feed computed up front (``FeatureEngine.precompute``,
  ``PredictionService.precompute``; the time to do so is included) and published bar by bar — and,
  for comparison, streaming (``batch=False``: indicators and inference per bar, as live). The two
  give the very same run, event for event: tests/unit/features/test_precompute.py,
  tests/unit/prediction/test_batch.py, tests/unit/backtest/test_fast_paths.py;
- peers: their own ``run`` call on a pandas frame of the same bars (data loading excluded);
  vectorbt after one untimed warm-up call (numba compilation).
``--profile`` adds where our per-bar time goes (cProfile, self time grouped by package).
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import math
import os
import platform
import pstats
import random
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from bench.peers import PeerRun, backtesting_py, backtrader_peer, vectorbt_peer
from galfriday.backtest import (
    BacktestEngine,
    DataKind,
    Feed,
    StrategyKind,
    StrategySpec,
    backtest_instruments,
)
from galfriday.backtest.models import service_factory
from galfriday.config import Settings
from galfriday.core.events import BarClosed
from galfriday.features import FeatureSet, load_feature_set
from galfriday.sim.replay import CandleFile
from galfriday.strategy import SmaCrossRule

FAST, SLOW, FEE = 10, 30, 0.0026
START_NS = 1_704_067_200 * 1_000_000_000  # 2024-01-01T00:00:00Z
SETTINGS = Settings.model_validate(
    {
        "pairs": ["XRP/USD"],
        "features": {"feature_set": "bars_v1"},
        "strategy": {"entry_order_type": "MARKET", "sl_pct": "0.99", "tp_pct": "100", "max_holding_s": None},
        "risk": {
            "risk_per_trade_pct": "0.01",
            "loss_streak_halt": 10_000_000,
            "loss_streak_warn": 9_999_999,
            "max_daily_drawdown_pct": "0.9",
            "max_weekly_drawdown_pct": "0.95",
            "max_total_drawdown_pct": "0.99",
            "volatility_halt": {"enabled": False},
        },
        "portfolio": {"snapshot_interval_s": 86_400},
        "execution": {"taker_fee": str(FEE)},
        "backtest": {"fill_model": "bar", "latency_ms": 0, "slippage_bps": 0, "max_bar_volume_share": 1},
    }
)
INSTRUMENTS = backtest_instruments(SETTINGS, SETTINGS.pairs)
SMA = StrategySpec(StrategyKind.SMA, sma=SmaCrossRule(FAST, SLOW))


# -- data ---------------------------------------------------------------------------------------


def synthetic_candles(n: int, seed: int = 7) -> pa.Table:
    rng = random.Random(seed)
    opens, highs, lows, closes = [], [], [], []
    price = 0.5
    for _ in range(n):
        start = price
        price = max(0.01, price * math.exp(rng.gauss(0.0, 0.0012)))
        hi, lo = (
            max(start, price) * (1 + abs(rng.gauss(0, 0.0004))),
            min(start, price) * (1 - abs(rng.gauss(0, 0.0004))),
        )
        opens.append(round(start, 5))
        closes.append(round(price, 5))
        highs.append(round(hi, 5))
        lows.append(round(lo, 5))
    times = pa.array([START_NS + i * 60_000_000_000 for i in range(n)], pa.timestamp("ns", tz="UTC"))
    return pa.table(
        {"timestamp": times, "open": opens, "high": highs, "low": lows, "close": closes, "volume": [1e6] * n}
    )


def pandas_frame(table: pa.Table) -> pd.DataFrame:
    frame = table.to_pandas().set_index("timestamp")
    frame.columns = [c.capitalize() for c in frame.columns]
    return frame


# -- our engine ---------------------------------------------------------------------------------


class RsiRuleEstimator:
    """A stand-in model: P(up) = 1 - RSI(14)/100 (oversold is bullish)."""

    kind = "rsi-rule"
    sequence_length = 1
    row_independent = True  # elementwise: a batch of windows gives what one window at a time does

    def __init__(self, rsi_index: int) -> None:
        self.rsi_index = rsi_index

    def fit(self, windows: np.ndarray, labels: np.ndarray) -> None:
        return None

    def predict_proba(self, windows: np.ndarray) -> np.ndarray:
        return 1.0 - windows[:, -1, self.rsi_index] / 100.0

    def hyperparameters(self) -> dict[str, Any]:
        return {}


def model_engine(feature_set: FeatureSet, *, batch: bool = True) -> BacktestEngine:
    from galfriday.prediction.bundle import ModelBundle
    from galfriday.prediction.drift import DriftReference
    from galfriday.prediction.labels import LabelSpec
    from galfriday.prediction.loaded import LoadedModel
    from galfriday.prediction.preprocess import scale_free

    names = feature_set.names
    reference = DriftReference.build(
        names, np.zeros((10, len(names))), np.full(10, 0.5), accuracy=None, auc=None, threshold=0.65
    )
    bundle = ModelBundle(
        model_type="rsi-rule", pair="XRP/USD", label=LabelSpec(), feature_set_id=feature_set.id,
        feature_fingerprint=feature_set.fingerprint, feature_names=names,
        preprocessor=scale_free(feature_set), estimator=RsiRuleEstimator(names.index("rsi_14")),
        reference=reference, trained_at_ns=0,
    )  # fmt: skip
    model = LoadedModel("rsi-rule-XRPUSD", "XRP/USD", bundle, Path("unused"), "0" * 64)

    class Version:
        model_id, pair, critical = model.model_id, "XRP/USD", True

    predictor = service_factory(SETTINGS, feature_set, lambda _version, _fs: model, [Version()])
    return BacktestEngine(
        SETTINGS,
        INSTRUMENTS,
        StrategySpec(StrategyKind.MODEL),
        feature_set=feature_set,
        predictor=predictor,
        batch=batch,
    )


def timed(repeat: int, work: Callable[[], Any]) -> tuple[float, float, Any]:
    """(median, best) seconds of ``repeat`` runs of ``work``, and its last result."""
    seconds, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = work()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), min(seconds), out


def peer_runs(repeat: int, run: Callable[[], PeerRun]) -> tuple[PeerRun, float]:
    """A peer run with the median seconds of ``repeat`` runs, and the best."""
    runs = [run() for _ in range(repeat)]
    seconds = [r.seconds for r in runs]
    return PeerRun(runs[-1].name, runs[-1].trades, statistics.median(seconds), runs[-1].note), min(seconds)


def profile_breakdown(events: list[BarClosed], engine: BacktestEngine) -> list[tuple[str, float]]:
    """Self time per package of one profiled run, as shares of the total."""
    profiler = cProfile.Profile()
    profiler.enable()
    engine.run(Feed((events,), DataKind.BARS, 60))
    profiler.disable()
    shares: dict[str, float] = defaultdict(float)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in stats.items():
        shares[_component(filename, function)] += tottime
    total = sum(shares.values())
    return sorted(((name, t / total) for name, t in shares.items()), key=lambda item: -item[1])


def _component(filename: str, function: str) -> str:
    if "galfriday" in filename:
        parts = filename.split("galfriday/")[-1].split("/")
        return "galfriday." + ".".join(parts[:2] if parts[0] in ("sim", "core") else parts[:1]).removesuffix(
            ".py"
        )
    if filename == "~":
        return "C built-ins (Decimal arithmetic, dict/list ops, msgspec structs)"
    return "other Python (stdlib: heapq, decimal context, logging)"


# -- main -------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bars", type=int, default=300_000, help="1-minute bars for the rule strategy")
    parser.add_argument(
        "--model-bars", type=int, default=100_000, help="bars for the model pipeline (0: skip)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--profile", action="store_true", help="show where our time goes")
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    print(f"bench_backtest  {platform.python_implementation()} {platform.python_version()}  "
          f"{os.cpu_count()} CPUs  load average {os.getloadavg()[0]:.2f} at start")  # fmt: skip
    table = synthetic_candles(args.bars)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthetic_1m.parquet"
        pq.write_table(table, path)
        load_s, _, candles = timed(1, lambda: CandleFile(path, "XRP/USD", instrument=INSTRUMENTS["XRP/USD"]))
    build_s, _, events = timed(1, lambda: list(candles))
    print(f"data: {args.bars:,} synthetic 1 m bars; CandleFile load {load_s:.2f}s, BarClosed construction "
          f"{build_s:.2f}s ({args.bars / build_s:,.0f} events/s)")  # fmt: skip

    engine = BacktestEngine(SETTINGS, INSTRUMENTS, SMA)
    run_s, best_s, result = timed(args.repeat, lambda: engine.run(Feed((events,), DataKind.BARS, 60)))
    ours = args.bars / run_s
    rows = [
        ("ours: full kernel, events pre-built", len(result.trades), run_s, best_s),
        ("ours: + BarClosed construction", len(result.trades), run_s + build_s, best_s + build_s),
    ]

    frame = pandas_frame(table)
    peers = [
        peer_runs(args.repeat, lambda: backtesting_py.run(frame, FAST, SLOW, FEE)),
        peer_runs(args.repeat, lambda: backtrader_peer.run(frame, FAST, SLOW, FEE)),
        peer_runs(args.repeat, lambda: vectorbt_peer.run(frame, FAST, SLOW, FEE)),
    ]
    print(f"\nSMA({FAST})/SMA({SLOW}) crossover, {args.bars:,} bars, median of {args.repeat} runs "
          "(target: ours >= 250,000 bars/s)")  # fmt: skip
    print(f"{'engine':44} {'trades':>7} {'seconds':>8} {'bars/s':>12} {'best bars/s':>12} {'ours/peer':>10}")
    for name, trades, seconds, best in rows:
        print(f"{name:44} {trades:>7} {seconds:>8.2f} {args.bars / seconds:>12,.0f} "
              f"{args.bars / best:>12,.0f} {'':>10}")  # fmt: skip
    for peer, best in peers:
        rate, best_rate = args.bars / peer.seconds, args.bars / best
        print(f"{peer.name:44} {peer.trades:>7} {peer.seconds:>8.2f} {rate:>12,.0f} {best_rate:>12,.0f} "
              f"{ours / rate:>10.3f}" + (f"  ({peer.note})" if peer.note else ""))  # fmt: skip

    if args.model_bars:
        n = min(args.model_bars, len(events))
        feature_set = load_feature_set(SETTINGS.features)
        print(f"\nfeatures ({feature_set.id}) + model predictions (inline), {n:,} bars, median of "
              f"{args.repeat} runs (target >= 100,000 bars/s)")  # fmt: skip
        feed = Feed((events[:n],), DataKind.BARS, 60)
        for label, batch in (("batch mode (default)", True), ("streaming (batch=False)", False)):
            model_s, model_best, model_result = timed(
                args.repeat, lambda b=batch: model_engine(feature_set, batch=b).run(feed)
            )
            trades, fingerprint = len(model_result.trades), model_result.fingerprint[:16]
            print(f"  {label:26} {n / model_s:>9,.0f} bars/s (best {n / model_best:,.0f}), {model_s:.2f}s, "
                  f"{trades} trades, fingerprint {fingerprint}")  # fmt: skip

    if args.profile:
        n = min(50_000, len(events))
        print(
            f"\nwhere our time goes (rule strategy, {n:,} bars, cProfile self time; profiling slows it 2-3x):"
        )
        for name, share in profile_breakdown(events[:n], BacktestEngine(SETTINGS, INSTRUMENTS, SMA)):
            if share >= 0.01:
                print(f"  {share * 100:5.1f} %  {name}")
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""Model training time on the shared real candles, and XGBoost inference latency per runner.

Run: python -m bench.bench_prediction   (prints one line per measurement; copy into docs/benchmarks.md)

What is counted:
- training: wall time of ``prediction.train`` on the real candles of
  ../shared/data/freqtrade/ohlcv/XRP_USDT_USDT-5m-futures.feather (1,999 5-minute candles -> bars_v1
  features, 12-bar cost-aware labels), default hyperparameters: 4 walk-forward fits, their
  out-of-sample scoring and mini-backtests, permutation importance, and the final fit on every
  usable row. Every model type; the LSTM only when PyTorch is installed.
- inference: latency of one request (one feature vector, the shipped XGBoost model) through each
  runner of the PredictionService — ``submit(model, window).result()`` measured from submit to
  result, sequentially, 2,000 requests after 200 warm-up ones; p50 and p99. Process mode includes
  pickling the window and the result across the process boundary.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from galfriday.features.registry import FeatureRegistry
from galfriday.prediction.artifacts import ArtifactStore
from galfriday.prediction.datasets import build_dataset, load_candles
from galfriday.prediction.estimators import torch_available
from galfriday.prediction.inference import make_runner
from galfriday.prediction.labels import LabelSpec
from galfriday.prediction.loaded import LoadedModel
from galfriday.prediction.training import TrainingConfig, train

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CANDLES = DATA / "freqtrade" / "ohlcv" / "XRP_USDT_USDT-5m-futures.feather"
REQUESTS, WARMUP = 2_000, 200


def main() -> None:
    print(
        f"host: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} CPUs visible, "
        f"load average {os.getloadavg()[0]:.1f}, Python {platform.python_version()}"
    )
    fs = FeatureRegistry.load().feature_set("bars_v1")
    table = load_candles(CANDLES)
    dataset = build_dataset(table, fs, LabelSpec(), pair="XRP/USDT")
    print(
        f"data: {CANDLES.relative_to(DATA)}: {table.num_rows} candles, "
        f"{len(dataset.usable())} usable rows (bars_v1, label {dataset.label.target})"
    )
    kinds = ["xgboost", "random_forest", "ensemble"] + (["lstm"] if torch_available() else [])
    shipped = None
    for kind in kinds:
        start = time.perf_counter()
        result = train(dataset, TrainingConfig(model_type=kind))
        seconds = time.perf_counter() - start
        print(
            f"train {kind:>13}: {seconds:6.2f} s  ({result.training_rows} rows, 4 windows + final fit; "
            f"out-of-sample AUC {result.summary['auc']:.3f}, "
            f"Sharpe {result.summary['sharpe']:.2f} net of fees)"
        )
        if kind == "xgboost":
            shipped = result.bundle
    if not torch_available():
        print("train          lstm: skipped (PyTorch not installed)")
    assert shipped is not None
    with tempfile.TemporaryDirectory() as folder:
        store = ArtifactStore(Path(folder))
        sha, relative = store.put(shipped)
        model = LoadedModel("bench-xgb", "XRP/USDT", store.load(relative, sha), store.path(relative), sha)
        window = dataset.windows(dataset.usable()[-1:], 1)
        for mode in ("inline", "thread", "process"):
            runner = make_runner(mode, workers=2, preload=[model])
            try:
                latencies = _latencies(runner, model, window)
            finally:
                runner.shutdown()
            p50, p99 = np.percentile(latencies, [50, 99])
            print(
                f"inference {mode:>7}: p50 {p50:8.1f} µs   p99 {p99:8.1f} µs   "
                f"({REQUESTS} sequential requests)"
            )


def _latencies(runner, model: LoadedModel, window: np.ndarray) -> np.ndarray:
    out = []
    for i in range(WARMUP + REQUESTS):
        start = time.perf_counter_ns()
        runner.submit(model, window).result()
        if i >= WARMUP:
            out.append((time.perf_counter_ns() - start) / 1_000)
    return np.asarray(out)


if __name__ == "__main__":
    main()

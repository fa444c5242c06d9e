"""Study results as files: JSON (everything, exact decimals), CSV tables, and the HTML page.

Walk-forward: ``walk_forward.json``, ``windows.csv`` (one row per window), ``trades.csv`` (every
out-of-sample trade, with its window), ``equity.csv`` (the stitched curve), ``report.html``.
Optimisation: ``optimize.json``, ``trials.csv`` (every evaluated trial), ``report.html``.
Like a backtest's files, they hold no wall-clock time or process-random id: the same study gives
the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from galfriday.backtest.report.files import EQUITY_COLUMNS, TRADE_COLUMNS, equity_rows, trade_row, write_csv
from galfriday.backtest.report.serialize import iso, plain
from galfriday.backtest.research.html import write_optimize_html, write_walk_forward_html
from galfriday.backtest.research.optimize import OptimizeResult
from galfriday.backtest.research.trials import KEY_METRICS
from galfriday.backtest.research.walk_forward import WalkForwardResult, WindowOutcome
from galfriday.backtest.research.windows import NS_PER_S

WINDOW_COLUMNS = (
    "window",
    "train_start",
    "train_end",
    "test_start",
    "test_end",
    "params",
    "models",
    "trades",
    "total_return_pct",
    "sharpe",
    "sortino",
    "max_drawdown_pct",
    "profit_factor",
    "win_rate_pct",
    "fees_paid",
    "final_equity",
    "open_positions",
    "fingerprint",
)


def write_walk_forward_files(
    result: WalkForwardResult, folder: Path, context: dict[str, Any]
) -> dict[str, Path]:
    """Write the walk-forward files into ``folder``; ``context`` (strategy, data, seed, ...) goes into
    the JSON as it is."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {n: folder / n for n in ("walk_forward.json", "windows.csv", "trades.csv", "equity.csv")}
    document = {
        "context": context,
        "windows_spec": _windows_spec(result),
        "windows": [_window(o) for o in result.windows],
        "combined": {
            "metrics": asdict(result.combined.metrics),
            "fingerprint": result.combined.fingerprint,
            "open_positions_at_window_ends": result.combined.open_positions,
            "halts": [asdict(h) | {"time": iso(h.ts_ns)} for h in result.combined.halts],
            "handler_failures": list(result.combined.failures),
        },
    }
    paths["walk_forward.json"].write_text(json.dumps(plain(document), indent=2) + "\n", encoding="utf-8")
    write_csv(paths["windows.csv"], WINDOW_COLUMNS, (_window_row(o) for o in result.windows))
    trades = ((o.window.index, *trade_row(t)) for o in result.windows for t in o.run.trades)
    write_csv(paths["trades.csv"], ("window", *TRADE_COLUMNS), trades)
    write_csv(paths["equity.csv"], EQUITY_COLUMNS, equity_rows(result.combined.equity))
    paths["report.html"] = write_walk_forward_html(result, folder / "report.html", context)
    return paths


def write_optimize_files(result: OptimizeResult, folder: Path, context: dict[str, Any]) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {n: folder / n for n in ("optimize.json", "trials.csv")}
    document = {
        "context": context,
        "best": {"trial": result.best.number, "params": result.best.params, "value": result.best.value}
        | {"metrics": result.best.metrics},
        "trials": len(result.trials),
        "infeasible_skipped": result.infeasible,
    }
    paths["optimize.json"].write_text(json.dumps(plain(document), indent=2) + "\n", encoding="utf-8")
    names = list(result.best.params)
    rows = (
        (r.number, r.value, r.reused, *(r.params[n] for n in names), *(r.metrics.get(k) for k in KEY_METRICS))
        for r in result.trials
    )
    write_csv(paths["trials.csv"], ("trial", "value", "reused", *names, *KEY_METRICS), rows)
    paths["report.html"] = write_optimize_html(result, folder / "report.html", context)
    return paths


def _windows_spec(result: WalkForwardResult) -> dict[str, Any]:
    spec = result.plan.windows
    return {
        "train_s": spec.train_ns // NS_PER_S,
        "test_s": spec.test_ns // NS_PER_S,
        "step_s": spec.step // NS_PER_S,
        "embargo_s": spec.embargo_ns // NS_PER_S,
        "anchored": spec.anchored,
        "warmup_bars": result.plan.warmup_bars,
        "bar_interval_s": result.interval_s,
    }


def _window(outcome: WindowOutcome) -> dict[str, Any]:
    w, run = outcome.window, outcome.run
    document: dict[str, Any] = {
        "window": w.index,
        "train": [iso(w.train_start_ns), iso(w.train_end_ns)],
        "test": [iso(w.test_start_ns), iso(w.test_end_ns)],
        "params": outcome.params,
        "models": [
            {
                "model_id": m.model_id,
                "pair": m.pair,
                "first_candle": iso(m.train_start_ns),
                "last_candle_close": iso(m.last_bar_close_ns),
                "last_training_row_close": iso(m.data_end_ns),
                "training_rows": m.rows,
                "validation": m.validation,
                "artifact_sha256": m.artifact_sha256,
            }
            for m in outcome.models
        ],
        "metrics": asdict(run.metrics),
        "fingerprint": run.fingerprint,
        "open_positions_at_end": run.open_positions,
        "halts": [asdict(h) | {"time": iso(h.ts_ns)} for h in run.halts],
        "handler_failures": list(run.failures),
    }
    if outcome.search is not None:
        document["search"] = {
            "best_value": outcome.search.best_value,
            "trials": len(outcome.search.trials),
            "infeasible_skipped": outcome.search.infeasible,
        }
    return document


def _window_row(outcome: WindowOutcome) -> tuple[Any, ...]:
    w, m = outcome.window, outcome.run.metrics
    return (
        w.index,
        iso(w.train_start_ns),
        iso(w.train_end_ns),
        iso(w.test_start_ns),
        iso(w.test_end_ns),
        json.dumps(outcome.params, sort_keys=True, default=str) if outcome.params else "",
        " ".join(x.model_id for x in outcome.models),
        m.trades,
        m.total_return_pct,
        m.sharpe,
        m.sortino,
        m.max_drawdown_pct,
        m.profit_factor,
        m.win_rate_pct,
        m.fees_paid,
        m.final_equity,
        outcome.run.open_positions,
        outcome.run.fingerprint,
    )

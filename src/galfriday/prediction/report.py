"""The training report: one self-contained HTML page per trained model.

What a person deciding on a promotion needs on one page: the data and label, the cost model, the
gate decision with its reasons (and the production comparison), the metrics of every walk-forward
window, and three plots of the pooled out-of-sample predictions — ROC, calibration (reliability)
and permutation feature importance. Every trading number is net of fees.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_curve

from galfriday.prediction.gates import GateDecision
from galfriday.prediction.svg import bar_chart, unit_line_chart
from galfriday.prediction.training import TrainingResult

WINDOW_COLUMNS = (
    "window",
    "train_rows",
    "test_rows",
    "auc",
    "precision",
    "recall",
    "f1",
    "log_loss",
    "n_trades",
    "win_rate",
    "profit_factor",
    "sharpe",
    "net_return",
)
CALIBRATION_BINS = 10


def write_report(result: TrainingResult, decision: GateDecision, model_id: str, out_dir: Path) -> Path:
    """Write ``<out_dir>/<model_id>.html``; returns its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{model_id}.html"
    path.write_text(render_report(result, decision, model_id), encoding="utf-8")
    return path


def render_report(result: TrainingResult, decision: GateDecision, model_id: str) -> str:
    bundle = result.bundle
    labels = np.concatenate([w.labels for w in result.windows])
    p_up = np.concatenate([w.p_up for w in result.windows])
    verdict = "PASSED" if decision.passed else "FAILED"
    reasons = "".join(f"<li>{escape(r)}</li>" for r in decision.reasons) or "<li>all gates passed</li>"
    facts = {
        "model id": model_id,
        "model type": bundle.model_type,
        "pair": bundle.pair,
        "prediction target": bundle.prediction_target,
        "label": json.dumps(bundle.label.to_dict()),
        "feature set": f"{bundle.feature_set_id} ({bundle.feature_fingerprint[:16]}…)",
        "features": ", ".join(bundle.feature_names),
        "data (bar closes)": f"{_iso(result.data_start_ns)} → {_iso(result.data_end_ns)}",
        "usable rows": str(result.training_rows),
        "training time": f"{result.training_seconds:.2f} s",
        "hyperparameters": json.dumps(result.hyperparameters),
        "trading rules": json.dumps(asdict(result.rules)),
        "costs": f"fee {result.costs.fee_rate:.2%} and slippage {result.costs.slippage_bps:g} bp, per leg",
    }
    facts_rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts.items())
    header = "".join(f"<th>{c}</th>" for c in WINDOW_COLUMNS)
    r = result.rules
    rules = (
        f"Precision, recall and F1 at P(up) &gt; {r.buy_threshold}, the strategy's buy threshold. "
        f"Mini-backtest: entry at the next bar's open, stop {r.stop_loss:.1%}, target {r.take_profit:.1%}, "
        f"at most {r.max_holding_bars} bars, a bar touching both counts as a stop."
    )
    rows = "".join(
        "<tr>" + "".join(f"<td>{_cell(w.to_dict().get(c))}</td>" for c in WINDOW_COLUMNS) + "</tr>"
        for w in result.windows
    )
    summary = "<tr>" + "".join(f"<td>{_cell(result.summary.get(c))}</td>" for c in WINDOW_COLUMNS) + "</tr>"
    production = ""
    if decision.production is not None:
        theirs = decision.production
        production = (
            f"<p>Production model {escape(str(theirs.get('model_id')))} on the same windows: "
            f"AUC {_cell(theirs.get('auc'))}, Sharpe {_cell(theirs.get('sharpe'))}. "
            "It may have been trained on some of these bars, which can only flatter it.</p>"
        )
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Training report {escape(model_id)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 6px;text-align:right}}th{{background:#eee}}
.facts td{{text-align:left}}.plots svg{{margin:0 12px 12px 0;border:1px solid #eee}}</style></head>
<body><h1>Training report — {escape(model_id)}</h1>
<h2>Acceptance gates: {verdict}</h2><ul>{reasons}</ul>{production}
<h2>Model and data</h2><table class="facts">{facts_rows}</table>
<h2>Walk-forward windows (out of sample, net of fees)</h2>
<p>{rules}</p>
<table><tr>{header}</tr>{rows}
<tr><th colspan="{len(WINDOW_COLUMNS)}">mean over windows</th></tr>{summary}</table>
<h2>Plots (pooled out-of-sample predictions)</h2><div class="plots">
{_roc(labels, p_up)}{_calibration(labels, p_up)}{_importance(result.importance)}</div>
</body></html>
"""


def _roc(labels: np.ndarray, p_up: np.ndarray) -> str:
    if np.unique(labels).size < 2:
        return "<p>ROC: the test labels are all one class.</p>"
    fpr, tpr, _ = roc_curve(labels.astype(int), p_up)
    return unit_line_chart(
        "ROC", [("model", fpr.tolist(), tpr.tolist())], "false positive rate", "true positive rate"
    )


def _calibration(labels: np.ndarray, p_up: np.ndarray) -> str:
    bins = np.minimum((p_up * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    xs, ys = [], []
    for b in range(CALIBRATION_BINS):
        inside = bins == b
        if inside.any():
            xs.append(float(p_up[inside].mean()))
            ys.append(float(labels[inside].mean()))
    return unit_line_chart("Calibration", [("observed", xs, ys)], "predicted P(up)", "observed share up")


def _importance(importance: dict[str, float]) -> str:
    if not importance:
        return "<p>Feature importance: not available (one class in the last test window).</p>"
    ranked = sorted(importance.items(), key=lambda kv: kv[1], reverse=True)
    return bar_chart(
        "Permutation importance", [k for k, _ in ranked], [v for _, v in ranked], "AUC lost when shuffled"
    )


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return escape(str(value))


def _iso(ts_ns: int) -> str:
    return datetime.fromtimestamp(ts_ns / 1e9, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")

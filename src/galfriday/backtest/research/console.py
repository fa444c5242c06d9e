"""Study results on the terminal (rich tables), also the tables of the HTML reports."""

from __future__ import annotations

import math
from typing import Any

from rich.table import Table

from galfriday.backtest.report.serialize import iso
from galfriday.backtest.research.optimize import OptimizeResult
from galfriday.backtest.research.summary import RunSummary
from galfriday.backtest.research.walk_forward import WalkForwardResult

TOP_TRIALS = 10


def _num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:,.{digits}f}"


def _day(ts_ns: int) -> str:
    return iso(ts_ns).replace("T00:00:00Z", "").replace("Z", "")


def _value(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def params_text(params: dict[str, Any]) -> str:
    """``fast=12, sl_pct=0.01934``: parameter values as people read them."""
    return ", ".join(f"{name}={_value(value)}" for name, value in params.items()) or "as given"


def windows_table(result: WalkForwardResult) -> Table:
    model = result.plan.strategy.needs_predictions
    table = Table(title=f"Walk-forward: {result.plan.strategy.kind} — out-of-sample, net of fees")
    for name in ("#", "train", "test", "validation AUC" if model else "parameters"):
        table.add_column(name)
    for name in ("trades", "return %", "Sharpe", "max DD %", "profit factor"):
        table.add_column(name, justify="right")
    for outcome in result.windows:
        w, m = outcome.window, outcome.run.metrics
        fitted = (
            ", ".join(_num(x.validation.get("auc"), 3) for x in outcome.models)
            if model
            else params_text(outcome.params)
        )
        table.add_row(
            str(w.index),
            f"{_day(w.train_start_ns)} → {_day(w.train_end_ns)}",
            f"{_day(w.test_start_ns)} → {_day(w.test_end_ns)}",
            fitted,
            str(m.trades),
            _num(m.total_return_pct),
            _num(m.sharpe),
            _num(m.max_drawdown_pct),
            _num(m.profit_factor),
        )
    c = result.combined.metrics
    table.add_section()
    table.add_row(
        "all",
        "",
        f"{_day(result.combined.start_ns)} → {_day(result.combined.end_ns)}",
        "stitched",
        str(c.trades),
        _num(c.total_return_pct),
        _num(c.sharpe),
        _num(c.max_drawdown_pct),
        _num(c.profit_factor),
    )
    return table


def combined_table(run: RunSummary, quote: str) -> Table:
    m = run.metrics
    table = Table(title="Out-of-sample, all windows stitched (net of fees)")
    table.add_column("metric")
    table.add_column("value", justify="right")
    rows = [
        ("period", f"{iso(run.start_ns)} → {iso(run.end_ns)}"),
        ("start / final equity", f"{m.start_equity:,.2f} / {m.final_equity:,.2f} {quote}"),
        ("total return", f"{_num(m.total_return_pct)} %"),
        ("Sharpe / Sortino", f"{_num(m.sharpe)} / {_num(m.sortino)}"),
        ("max drawdown", f"{_num(m.max_drawdown_pct)} % ({m.max_drawdown_usd:,.2f} {quote})"),
        ("trades / win rate", f"{m.trades} / {_num(m.win_rate_pct)} %"),
        ("profit factor", _num(m.profit_factor)),
        ("exposure", f"{_num(m.exposure_pct)} %"),
        ("fees paid", f"{m.fees_paid:,.2f} {quote}"),
        ("open at a window's end", str(run.open_positions)),
        ("fingerprint", run.fingerprint[:16] + "…"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def trials_table(result: OptimizeResult, objective: str, top: int = TOP_TRIALS) -> Table:
    ranked = sorted(result.trials, key=lambda r: (-r.value, r.number))[:top]
    names = list(result.best.params)
    table = Table(title=f"Best {len(ranked)} of {len(result.trials)} trials by {objective}")
    table.add_column("trial", justify="right")
    for name in (*names, objective, "trades", "return %", "max DD %"):
        table.add_column(name, justify="right")
    for record in ranked:
        m = record.metrics
        table.add_row(
            str(record.number) + (" (seen)" if record.reused else ""),
            *(_value(record.params[n]) for n in names),
            _num(record.value, 3),
            str(m.get("trades", "")),
            _num(m.get("total_return_pct")),
            _num(m.get("max_drawdown_pct")),
        )
    return table

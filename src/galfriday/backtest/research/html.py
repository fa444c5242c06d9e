"""The studies' HTML pages: the result tables, then interactive charts (plotly, embedded: works offline).

Walk-forward: the stitched out-of-sample equity with each test window shaded, and each window's
return. Optimisation: the objective per trial with the best so far, and every trial's parameters
as parallel coordinates coloured by the objective. Fixed div ids and no timestamps: the same study
gives the same bytes.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from rich.table import Table

from galfriday.backtest.report.charts import thin
from galfriday.backtest.report.html import write_page
from galfriday.backtest.report.serialize import iso
from galfriday.backtest.research.console import combined_table, trials_table, windows_table
from galfriday.backtest.research.optimize import OptimizeResult
from galfriday.backtest.research.walk_forward import WalkForwardResult

HEIGHT = 480
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin-bottom: 24px; }
td, th { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; }
td:first-child, th:first-child { text-align: left; }
caption { font-weight: bold; text-align: left; margin-bottom: 6px; }
.warn { color: #b00; }
"""
_GREEN, _RED, _SHADE = "#2ca02c", "#d62728", "rgba(31, 119, 180, 0.08)"


def write_walk_forward_html(result: WalkForwardResult, path: Path, context: dict[str, Any]) -> Path:
    quote = str(context.get("quote_currency", ""))
    title = f"Gal-Friday walk-forward: {result.plan.strategy.kind} on {', '.join(context.get('pairs', ()))}"
    tables = [windows_table(result), combined_table(result.combined, quote)]
    warnings = [f"HALT ({h.trigger}) at {iso(h.ts_ns)}: {h.reason}" for h in result.combined.halts]
    if result.combined.failures:
        warnings.append(f"{len(result.combined.failures)} kernel handler error(s): do not trust this result")
    return _page(path, title, tables, warnings, [("equity", _equity(result)), ("windows", _returns(result))])


def write_optimize_html(result: OptimizeResult, path: Path, context: dict[str, Any]) -> Path:
    objective = str(context.get("objective", "objective"))
    title = f"Gal-Friday optimisation: {context.get('strategy', '')} by {objective}"
    figures = [("history", _history(result, objective)), ("params", _parallel(result, objective))]
    return _page(path, title, [trials_table(result, objective)], [], figures)


def _equity(result: WalkForwardResult) -> go.Figure:
    points = thin(result.combined.equity)
    fig = go.Figure(
        go.Scatter(x=[iso(t) for t, _ in points], y=[float(v) for _, v in points], name="equity")
    )
    for outcome in result.windows:
        w = outcome.window
        fig.add_vrect(
            x0=iso(w.test_start_ns),
            x1=iso(w.test_end_ns),
            fillcolor=_SHADE if w.index % 2 == 0 else "rgba(0, 0, 0, 0)",
            line_width=0,
            annotation_text=str(w.index),
            annotation_position="top left",
        )
    return _layout(fig, "Out-of-sample equity, test windows stitched (net of fees)")


def _returns(result: WalkForwardResult) -> go.Figure:
    values = [o.run.metrics.total_return_pct for o in result.windows]
    fig = go.Figure(
        go.Bar(
            x=[f"{o.window.index}: {iso(o.window.test_start_ns)[:10]}" for o in result.windows],
            y=values,
            marker_color=[_GREEN if v >= 0 else _RED for v in values],
            name="return %",
        )
    )
    return _layout(fig, "Return of each test window (%)")


def _history(result: OptimizeResult, objective: str) -> go.Figure:
    records = sorted(result.trials, key=lambda r: r.number)
    best, running = [], -math.inf
    for record in records:
        running = max(running, record.value)
        best.append(_finite(running))
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[r.number for r in records],
            y=[_finite(r.value) for r in records],
            mode="markers",
            name=objective,
            text=[str(r.params) for r in records],
        )
    )
    fig.add_trace(go.Scatter(x=[r.number for r in records], y=best, mode="lines", name="best so far"))
    fig.update_xaxes(title_text="trial")
    return _layout(fig, f"{objective} per trial (undefined values left out)")


def _parallel(result: OptimizeResult, objective: str) -> go.Figure:
    records = [r for r in result.trials if _finite(r.value) is not None]
    dimensions = [
        {"label": name, "values": [float(r.params[name]) for r in records]} for name in result.best.params
    ]
    values = [r.value for r in records]
    dimensions.append({"label": objective, "values": values})
    fig = go.Figure(
        go.Parcoords(
            line={"color": values, "colorscale": "Viridis", "showscale": True}, dimensions=dimensions
        )
    )
    return _layout(fig, "Parameters of every trial with a defined objective")


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _layout(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(title=title, template="plotly_white", height=HEIGHT, margin={"t": 60})
    return fig


def _page(
    path: Path,
    title: str,
    tables: Sequence[Table],
    warnings: Sequence[str],
    figures: Sequence[tuple[str, go.Figure]],
) -> Path:
    body = [f"<h1>{html.escape(title)}</h1>", *(_table_html(t) for t in tables)]
    body += [f'<p class="warn">{html.escape(w)}</p>' for w in warnings]
    body += [
        fig.to_html(
            full_html=False, include_plotlyjs=False, div_id=f"chart-{name}", default_height=f"{HEIGHT}px"
        )
        for name, fig in figures
    ]
    return write_page(path, title, _STYLE, body)


def _table_html(table: Table) -> str:
    """A rich table as HTML: the same rows the terminal shows."""
    head = "".join(f"<th>{html.escape(str(c.header))}</th>" for c in table.columns)
    rows = zip(*(c.cells for c in table.columns), strict=True)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    caption = f"<caption>{html.escape(str(table.title))}</caption>" if table.title else ""
    return f"<table>{caption}<tr>{head}</tr>{body}</table>"

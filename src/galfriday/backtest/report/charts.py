"""The report's interactive charts (plotly): equity and drawdown, trades on price, monthly returns,
and the distribution of trade P&L.

Long series are thinned to about ``MAX_POINTS`` points for the browser (every k-th point, the
last always kept); the CSV files keep every point. Times are UTC ISO strings, so the figures — and
the HTML around them — are the same bytes for the same result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from galfriday.backtest.metrics import drawdown_series, monthly_returns
from galfriday.backtest.report.serialize import iso
from galfriday.backtest.result import BacktestResult

MAX_POINTS = 5000
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_GREEN, _RED = "#2ca02c", "#d62728"


def thin(points: Sequence[Any], limit: int = MAX_POINTS) -> list[Any]:
    if len(points) <= limit:
        return list(points)
    step = -(-len(points) // limit)
    kept = list(points[::step])
    if kept[-1] is not points[-1]:
        kept.append(points[-1])
    return kept


def equity_figure(result: BacktestResult) -> go.Figure:
    points = result.equity
    drawdowns = drawdown_series([float(v) for _, v in points])
    rows = thin(list(zip(points, drawdowns, strict=True)))
    times = [iso(ts) for (ts, _), _ in rows]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=(0.7, 0.3), vertical_spacing=0.04)
    fig.add_trace(
        go.Scatter(x=times, y=[float(v) for (_, v), _ in rows], name="equity", line={"width": 1.5}), 1, 1
    )
    fig.add_trace(
        go.Scatter(
            x=times, y=[dd * 100 for _, dd in rows], name="drawdown %", fill="tozeroy", line={"color": _RED}
        ),
        2,
        1,
    )
    fig.update_yaxes(title_text=result.meta.quote_currency, row=1, col=1)
    fig.update_yaxes(title_text="drawdown %", row=2, col=1)
    fig.update_layout(height=620)
    return _layout(fig, "Equity (net of fees) and drawdown")


def trades_figure(result: BacktestResult) -> go.Figure:
    pairs = list(result.meta.pairs)
    fig = make_subplots(
        rows=len(pairs), cols=1, shared_xaxes=True, subplot_titles=pairs, vertical_spacing=0.06
    )
    for row, pair in enumerate(pairs, 1):
        prices = thin(result.closes.get(pair, ()))
        fig.add_trace(
            go.Scatter(
                x=[iso(t) for t, _ in prices],
                y=[float(p) for _, p in prices],
                name=f"{pair} close",
                line={"width": 1, "color": "#7f7f7f"},
            ),
            row,
            1,
        )
        trades = [t for t in result.trades if t.pair == pair]
        for label, symbol, color, times, prices_of in (
            (
                "entry",
                "triangle-up",
                _GREEN,
                [t.entry_time_ns for t in trades],
                [t.avg_entry_price for t in trades],
            ),
            (
                "exit",
                "triangle-down",
                _RED,
                [t.exit_time_ns for t in trades],
                [t.avg_exit_price for t in trades],
            ),
        ):
            fig.add_trace(
                go.Scatter(
                    x=[iso(ts) for ts in times],
                    y=[float(p) for p in prices_of],
                    mode="markers",
                    name=f"{pair} {label}",
                    marker={"symbol": symbol, "color": color, "size": 9},
                    text=[f"trade {t.trade_no}: {t.exit_reason}, P&L {t.realized_pnl:.2f}" for t in trades],
                    hovertemplate="%{text}<br>%{x}<br>%{y}<extra></extra>",
                ),
                row,
                1,
            )
    fig.update_layout(height=max(420, 320 * len(pairs)))
    return _layout(fig, "Trades on price (fill times and average fill prices)")


def monthly_figure(result: BacktestResult) -> go.Figure:
    months = monthly_returns(result.equity)
    years = sorted({y for y, _, _ in months})
    grid: list[list[float | None]] = [[None] * 12 for _ in years]
    for year, month, value in months:
        grid[years.index(year)][month - 1] = round(value * 100, 4)
    fig = make_subplots(
        rows=2,
        cols=1,
        row_heights=(0.6, 0.4),
        vertical_spacing=0.12,
        subplot_titles=("heatmap (%)", "by month (%)"),
    )
    fig.add_trace(
        go.Heatmap(
            z=grid,
            x=list(_MONTHS),
            y=[str(y) for y in years],
            colorscale="RdYlGn",
            zmid=0,
            texttemplate="%{z:.2f}",
            name="monthly return %",
        ),
        1,
        1,
    )
    fig.add_trace(
        go.Bar(
            x=[f"{y}-{m:02d}" for y, m, _ in months],
            y=[v * 100 for _, _, v in months],
            marker_color=[_GREEN if v >= 0 else _RED for _, _, v in months],
            name="monthly return %",
        ),
        2,
        1,
    )
    fig.update_layout(height=max(560, 420 + 40 * len(years)))
    return _layout(fig, "Monthly returns (UTC months, net of fees)")


def pnl_figure(result: BacktestResult) -> go.Figure:
    pnls = [float(t.realized_pnl) for t in result.trades]
    fig = go.Figure(
        go.Histogram(
            x=pnls, nbinsx=min(60, max(10, len(pnls) // 3)), marker_color="#1f77b4", name="trade P&L"
        )
    )
    fig.add_vline(x=0, line={"color": "#333", "dash": "dash"})
    fig.update_xaxes(title_text=f"P&L per closed trade ({result.meta.quote_currency}, net of fees)")
    fig.update_yaxes(title_text="trades")
    fig.update_layout(height=440)
    return _layout(fig, "Distribution of trade P&L")


def _layout(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(title=title, template="plotly_white", hovermode="x unified", margin={"t": 60, "b": 40})
    return fig

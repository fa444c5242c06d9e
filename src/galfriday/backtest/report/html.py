"""The self-contained HTML report: metrics, then the interactive charts, with plotly.js embedded so
the file opens offline (and keeps working when plotly's CDN does not).

Each figure gets a fixed div id (plotly would draw a random one), so the file is the same bytes for
the same result.
"""

from __future__ import annotations

import html
from pathlib import Path

from plotly.offline import get_plotlyjs

from galfriday.backtest.report import charts
from galfriday.backtest.report.console import metrics_table
from galfriday.backtest.result import BacktestResult

DEFAULT_HEIGHT = 520
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1200px; color: #222; }
table.metrics { border-collapse: collapse; margin-bottom: 24px; }
table.metrics td { padding: 3px 14px; border-bottom: 1px solid #eee; }
table.metrics td:last-child { text-align: right; font-variant-numeric: tabular-nums; }
.warn { color: #b00; }
"""


def write_html_report(result: BacktestResult, path: Path) -> Path:
    figures = (
        ("equity", charts.equity_figure(result)),
        ("trades", charts.trades_figure(result)),
        ("monthly", charts.monthly_figure(result)),
        ("pnl", charts.pnl_figure(result)),
    )
    body = [f"<h1>{html.escape(_title(result))}</h1>", _metrics_html(result), *_warnings(result)]
    # A fixed pixel height: a "100%" div inside an unsized page can collapse.
    body += [
        fig.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"chart-{name}",
            default_height=f"{fig.layout.height or DEFAULT_HEIGHT}px",
        )
        for name, fig in figures
    ]
    return write_page(path, _title(result), _STYLE, body)


def write_page(path: Path, title: str, style: str, body: list[str]) -> Path:
    """One self-contained page: ``body`` fragments, with plotly.js embedded (opens offline)."""
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{style}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head>\n<body>\n'
        + "\n".join(body)
        + "\n</body></html>\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def _title(result: BacktestResult) -> str:
    return f"Gal-Friday backtest: {result.meta.strategy['kind']} on {', '.join(result.meta.pairs)}"


def _metrics_html(result: BacktestResult) -> str:
    table = metrics_table(result)
    names, values = table.columns[0].cells, table.columns[1].cells
    rows = "".join(
        f"<tr><td>{html.escape(str(n))}</td><td>{html.escape(str(v))}</td></tr>"
        for n, v in zip(names, values, strict=True)
    )
    return f'<table class="metrics">{rows}</table>'


def _warnings(result: BacktestResult) -> list[str]:
    out = [
        f'<p class="warn">HALT ({html.escape(h.trigger)}): {html.escape(h.reason)}</p>' for h in result.halts
    ]
    if result.failures:
        out.append(
            f'<p class="warn">{len(result.failures)} kernel handler error(s): do not trust this result.</p>'
        )
    return out

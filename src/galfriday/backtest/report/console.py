"""The result on the terminal: one rich table of metrics, then HALTs and warnings that matter."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console
from rich.table import Table

from galfriday.backtest.report.serialize import iso
from galfriday.backtest.result import BacktestResult


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.2f} %"


def _num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _money(value: Decimal | None, quote: str) -> str:
    return "n/a" if value is None else f"{value:,.2f} {quote}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours // 24}d {hours % 24}h {rest // 60}m" if hours >= 24 else f"{hours}h {rest // 60}m"


def metrics_table(result: BacktestResult) -> Table:
    m, meta, q = result.metrics, result.meta, result.meta.quote_currency
    table = Table(title=f"Backtest: {meta.strategy['kind']} on {', '.join(meta.pairs)} (net of fees)")
    table.add_column("metric")
    table.add_column("value", justify="right")
    rows = [
        ("period", f"{iso(result.equity[0][0])} → {iso(result.equity[-1][0])}"),
        ("start / final equity", f"{_money(m.start_equity, q)} / {_money(m.final_equity, q)}"),
        ("total return", _pct(m.total_return_pct)),
        ("annualised return", _pct(m.annualised_return_pct)),
        ("Sharpe / Sortino", f"{_num(m.sharpe)} / {_num(m.sortino)}"),
        ("max drawdown", f"{_pct(m.max_drawdown_pct)} ({_money(m.max_drawdown_usd, q)})"),
        ("trades (closed)", str(m.trades)),
        ("win rate", _pct(m.win_rate_pct)),
        ("profit factor", _num(m.profit_factor)),
        ("average P&L per trade", _money(m.avg_trade_pnl, q)),
        ("best / worst trade", f"{_money(m.best_trade_pnl, q)} / {_money(m.worst_trade_pnl, q)}"),
        ("average holding time", _duration(m.avg_holding_s)),
        ("exposure time", _pct(m.exposure_pct)),
        ("fees paid", _money(m.fees_paid, q)),
        (
            "signals proposed / approved / rejected",
            f"{result.signals.proposed} / {result.signals.approved} / {result.signals.rejected}",
        ),
        ("orders / fills", f"{len(result.orders)} / {len(result.fills)}"),
        ("fingerprint", result.fingerprint[:16] + "…"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def print_result(result: BacktestResult, console: Console) -> None:
    console.print(metrics_table(result))
    for position in result.open_positions:
        console.print(
            f"[yellow]open at the end:[/] {position.pair} {position.qty} @ {position.avg_price} "
            f"(marked {position.mark}); its unrealised P&L is in the final equity"
        )
    for halt in result.halts:
        console.print(f"[red]HALT[/] at {iso(halt.ts_ns)} ({halt.trigger}): {halt.reason}")
    if result.failures:
        console.print(
            f"[bold red]{len(result.failures)} kernel handler error(s): do not trust this result[/] — first: "
            f"{result.failures[0]}"
        )

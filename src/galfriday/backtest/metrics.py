"""Performance metrics of a run, every one net of fees (the fills paid them, the equity shows it).

Conventions (stated because every library picks differently):
- Returns are simple returns between consecutive points of the equity curve (a fixed grid, see
  ``equity``); the risk-free rate is 0. Annualisation assumes markets that trade every day:
  ``periods_per_year = 365 × 86,400 s ÷ interval``.
- Sharpe = mean(r) ÷ sample standard deviation(r) (ddof 1) × √periods_per_year.
- Sortino = mean(r) ÷ downside deviation × √periods_per_year, downside deviation =
  √(Σ min(r, 0)² ÷ N) over all N periods (target 0), as in Sortino & Price (1994).
- Max drawdown % is the largest fall from a running peak relative to that peak; max drawdown $
  the largest fall in money. The two may come from different episodes.
- Annualised return is the compound rate over the curve's span (CAGR, 365-day years).
- Win rate, profit factor (gross profit ÷ gross loss), average P&L per trade and holding time
  are over closed trades (P&L net of both legs' fees); exposure is the share of the span with
  any position open (open positions count until the end).
- A ratio without a denominator (no volatility, no losing trade, no trade) is None, not infinity.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from galfriday.backtest.rows import TradeRow

SECONDS_PER_YEAR = 365 * 86_400
NS_PER_S = 1_000_000_000
ZERO = Decimal(0)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Metrics:
    start_equity: Decimal
    final_equity: Decimal
    total_return_pct: float
    annualised_return_pct: float | None
    sharpe: float | None
    sortino: float | None
    max_drawdown_pct: float
    max_drawdown_usd: Decimal
    trades: int
    win_rate_pct: float | None
    profit_factor: float | None
    avg_trade_pnl: Decimal | None
    gross_profit: Decimal
    gross_loss: Decimal
    best_trade_pnl: Decimal | None
    worst_trade_pnl: Decimal | None
    avg_holding_s: float | None
    exposure_pct: float
    fees_paid: Decimal
    span_s: float


def periods_per_year(interval_s: float) -> float:
    return SECONDS_PER_YEAR / interval_s


def returns(equity: Sequence[float]) -> list[float]:
    return [b / a - 1.0 for a, b in itertools.pairwise(equity)]


def sharpe(rets: Sequence[float], ppy: float) -> float | None:
    if len(rets) < 2:
        return None
    mean = sum(rets) / len(rets)
    var = sum((r - mean) ** 2 for r in rets) / (len(rets) - 1)
    return None if var <= 0 else mean / math.sqrt(var) * math.sqrt(ppy)


def sortino(rets: Sequence[float], ppy: float) -> float | None:
    if not rets:
        return None
    downside = math.sqrt(sum(min(r, 0.0) ** 2 for r in rets) / len(rets))
    return None if downside == 0 else (sum(rets) / len(rets)) / downside * math.sqrt(ppy)


def max_drawdown(equity: Sequence[Decimal]) -> tuple[float, Decimal]:
    """(largest fall from a running peak as a fraction of it, largest fall in money)."""
    peak = equity[0] if equity else ZERO
    worst_pct, worst_usd = 0.0, ZERO
    for value in equity:
        if value > peak:
            peak = value
        fall = peak - value
        if fall > worst_usd:
            worst_usd = fall
        if peak > 0 and float(fall / peak) > worst_pct:
            worst_pct = float(fall / peak)
    return worst_pct, worst_usd


def drawdown_series(equity: Sequence[float]) -> list[float]:
    """Fall from the running peak at each point, as a (non-positive) fraction of the peak."""
    out, peak = [], -math.inf
    for value in equity:
        peak = max(peak, value)
        out.append(value / peak - 1.0 if peak > 0 else 0.0)
    return out


def exposure(intervals: Sequence[tuple[int, int]], start_ns: int, end_ns: int) -> float:
    """Share of ``[start, end]`` covered by the union of ``intervals``."""
    if end_ns <= start_ns:
        return 0.0
    covered, reach = 0, start_ns
    for lo, hi in sorted(intervals):
        lo, hi = max(lo, reach), min(hi, end_ns)
        if hi > lo:
            covered += hi - lo
            reach = hi
    return covered / (end_ns - start_ns)


def monthly_returns(points: Sequence[tuple[int, Decimal]]) -> list[tuple[int, int, float]]:
    """(year, month, return) per calendar month (UTC): month-end equity over the previous month-end
    (the first month over the starting equity). A point stamped exactly at midnight on the 1st is the
    end of the month before: it is the close of that month's last bar."""
    out: list[tuple[int, int, float]] = []
    if len(points) < 2:
        return out
    previous = points[0][1]  # the starting equity: the base of the first month, not a month itself
    month: tuple[int, int] | None = None
    last = previous
    for ts, value in points[1:]:
        moment = _EPOCH + timedelta(microseconds=(ts - 1) // 1000)
        key = (moment.year, moment.month)
        if month is not None and key != month:
            out.append((*month, float(last / previous) - 1.0))
            previous = last
        month, last = key, value
    if month is not None:
        out.append((*month, float(last / previous) - 1.0))
    return out


def compute_metrics(
    points: Sequence[tuple[int, Decimal]],
    trades: Sequence[TradeRow],
    *,
    interval_s: float,
    fees_paid: Decimal,
    open_since_ns: Sequence[int] = (),
) -> Metrics:
    """Every metric of a run (see the module docstring); ``open_since_ns`` are the entry times of
    positions still open at the end."""
    equity = [value for _, value in points]
    start_ns, end_ns = points[0][0], points[-1][0]
    span_s = (end_ns - start_ns) / NS_PER_S
    start, final = equity[0], equity[-1]
    growth = float(final / start)
    years = span_s / SECONDS_PER_YEAR
    rets = returns([float(v) for v in equity])
    ppy = periods_per_year(interval_s)
    dd_pct, dd_usd = max_drawdown(equity)
    pnls = [t.realized_pnl for t in trades]
    wins = [p for p in pnls if p > 0]
    losses = [p for p in pnls if p < 0]
    gross_profit, gross_loss = sum(wins, ZERO), -sum(losses, ZERO)
    held = [(t.entry_time_ns, t.exit_time_ns) for t in trades] + [(s, end_ns) for s in open_since_ns]
    return Metrics(
        start_equity=start,
        final_equity=final,
        total_return_pct=(growth - 1.0) * 100,
        annualised_return_pct=(growth ** (1 / years) - 1.0) * 100 if years > 0 and growth > 0 else None,
        sharpe=sharpe(rets, ppy),
        sortino=sortino(rets, ppy),
        max_drawdown_pct=dd_pct * 100,
        max_drawdown_usd=dd_usd,
        trades=len(trades),
        win_rate_pct=len(wins) / len(trades) * 100 if trades else None,
        profit_factor=float(gross_profit / gross_loss) if gross_loss else None,
        avg_trade_pnl=sum(pnls, ZERO) / len(pnls) if pnls else None,
        gross_profit=gross_profit,
        gross_loss=gross_loss,
        best_trade_pnl=max(pnls) if pnls else None,
        worst_trade_pnl=min(pnls) if pnls else None,
        avg_holding_s=sum(t.holding_s for t in trades) / len(trades) if trades else None,
        exposure_pct=exposure(held, start_ns, end_ns) * 100,
        fees_paid=fees_paid,
        span_s=span_s,
    )

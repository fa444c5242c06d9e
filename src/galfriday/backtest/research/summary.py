"""What a study keeps of a backtest: the run over its own window, small enough to send between
processes — and the windows of a walk-forward stitched into one out-of-sample run.

``summarise`` cuts a run to ``[start, end]``: the equity curve from the window's start (the warm-up
before it is flat: nothing traded there, see ``gate``) and the metrics recomputed over that span
alone. A trade that entered before the start would mean the gate leaked, so it is an error, not a
number.

``stitch`` chains the windows' out-of-sample runs: each window trades the initial cash afresh, so
the combined curve adds each window's profit and loss to where the previous one ended (money, not
compounding: the combined P&L is the sum of the windows' P&L, as the trade list says). A position
still open at a window's end counts at its last mark, as it does in the window's own result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from galfriday.backtest.fingerprint import trade_fingerprint
from galfriday.backtest.metrics import Metrics, compute_metrics
from galfriday.backtest.research.errors import ResearchError
from galfriday.backtest.result import BacktestResult, Halt
from galfriday.backtest.rows import TradeRow

ZERO = Decimal(0)


@dataclass(frozen=True)
class RunSummary:
    start_ns: int
    end_ns: int
    metrics: Metrics
    equity: tuple[tuple[int, Decimal], ...]
    trades: tuple[TradeRow, ...]
    fingerprint: str
    open_positions: int
    halts: tuple[Halt, ...]
    failures: tuple[str, ...]  # kernel handler errors: a run with any is not to be trusted


def summarise(result: BacktestResult, start_ns: int | None = None) -> RunSummary:
    """``result`` from ``start_ns`` on (default: all of it)."""
    points = list(result.equity)
    if start_ns is not None:
        before = [p for p in points if p[0] < start_ns]
        points = [p for p in points if p[0] >= start_ns]
        if not points or points[0][0] != start_ns:
            points.insert(0, (start_ns, before[-1][1] if before else result.meta.initial_cash))
        early = [t for t in result.trades if t.entry_time_ns < start_ns]
        if early:
            raise ResearchError(
                f"{len(early)} trade(s) entered before the window's start (the first at "
                f"{early[0].entry_time_ns} ns, the window starts at {start_ns} ns): the warm-up gate "
                "leaked; report this as a bug"
            )
    open_since = [p.entry_time_ns for p in result.open_positions]
    metrics = compute_metrics(
        points,
        result.trades,
        interval_s=result.meta.bar_interval_s,
        fees_paid=result.metrics.fees_paid,
        open_since_ns=open_since,
    )
    return RunSummary(
        start_ns=points[0][0],
        end_ns=points[-1][0],
        metrics=metrics,
        equity=tuple(points),
        trades=result.trades,
        fingerprint=result.fingerprint,
        open_positions=len(result.open_positions),
        halts=result.halts,
        failures=result.failures,
    )


def stitch(runs: Sequence[RunSummary], interval_s: int) -> RunSummary:
    """One run out of consecutive window runs (see the module docstring)."""
    if not runs:
        raise ResearchError("nothing to stitch: no window ran")
    points: list[tuple[int, Decimal]] = []
    offset = ZERO
    for run in runs:
        base = run.equity[0][1]
        for ts, value in run.equity:
            if points and ts <= points[-1][0]:
                continue  # the previous window ended where this one starts, at the same equity
            points.append((ts, value + offset))
        offset += run.equity[-1][1] - base
    trades = tuple(t for run in runs for t in run.trades)
    metrics = compute_metrics(
        points, trades, interval_s=interval_s, fees_paid=sum((r.metrics.fees_paid for r in runs), ZERO)
    )
    return RunSummary(
        start_ns=points[0][0],
        end_ns=points[-1][0],
        metrics=metrics,
        equity=tuple(points),
        trades=trades,
        fingerprint=trade_fingerprint(trades),
        open_positions=sum(r.open_positions for r in runs),
        halts=tuple(h for r in runs for h in r.halts),
        failures=tuple(f for r in runs for f in r.failures),
    )

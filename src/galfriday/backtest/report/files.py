"""The result as files: ``result.json`` (metrics and metadata), ``trades.csv``, ``orders.csv``,
``fills.csv`` and ``equity.csv`` — every row the run produced, exact decimals, UTC times.

Byte-identical for the same inputs and seed (no wall-clock time, no process-random id), so two
runs can be compared with ``cmp``. What varies per execution — the run id the database rows are
tagged with, when it ran — goes to ``run.json`` (written by the CLI), never here.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from galfriday.backtest.metrics import drawdown_series
from galfriday.backtest.report.serialize import iso, plain, summary
from galfriday.backtest.result import BacktestResult

TRADE_COLUMNS = (
    "trade_no",
    "signal_no",
    "pair",
    "side",
    "qty",
    "entry_time",
    "exit_time",
    "avg_entry_price",
    "avg_exit_price",
    "fees",
    "realized_pnl",
    "realized_pnl_pct",
    "exit_reason",
    "holding_s",
)
ORDER_COLUMNS = (
    "order_no",
    "client_order_id",
    "exchange_order_id",
    "signal_no",
    "pair",
    "side",
    "order_type",
    "purpose",
    "qty",
    "limit_price",
    "submitted",
    "status",
    "filled_qty",
    "avg_fill_price",
    "fees",
    "ended",
    "reason",
)
FILL_COLUMNS = (
    "fill_no",
    "fill_id",
    "client_order_id",
    "pair",
    "side",
    "qty",
    "price",
    "fee",
    "liquidity",
    "time",
)
EQUITY_COLUMNS = ("time", "ts_ns", "equity", "drawdown_pct")


def write_result_files(result: BacktestResult, folder: Path) -> dict[str, Path]:
    """Write the five files into ``folder`` (created if needed); returns them by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        name: folder / name for name in ("result.json", "trades.csv", "orders.csv", "fills.csv", "equity.csv")
    }
    paths["result.json"].write_text(json.dumps(summary(result), indent=2) + "\n", encoding="utf-8")
    write_csv(paths["trades.csv"], TRADE_COLUMNS, (trade_row(t) for t in result.trades))
    write_csv(paths["orders.csv"], ORDER_COLUMNS, (_order(o) for o in result.orders))
    write_csv(paths["fills.csv"], FILL_COLUMNS, (_fill(f) for f in result.fills))
    write_csv(paths["equity.csv"], EQUITY_COLUMNS, equity_rows(result.equity))
    return paths


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if v is None else plain(v) for v in row])


def trade_row(t: Any) -> Sequence[Any]:
    return (
        t.trade_no,
        t.signal_no,
        t.pair,
        t.side,
        t.qty,
        iso(t.entry_time_ns),
        iso(t.exit_time_ns),
        t.avg_entry_price,
        t.avg_exit_price,
        t.fees,
        t.realized_pnl,
        repr(t.realized_pnl_pct),
        t.exit_reason,
        repr(t.holding_s),
    )


def _order(o: Any) -> Sequence[Any]:
    return (
        o.order_no,
        o.client_order_id,
        o.exchange_order_id,
        o.signal_no,
        o.pair,
        o.side,
        o.order_type,
        o.purpose,
        o.qty,
        o.limit_price,
        iso(o.submitted_ns),
        o.status,
        o.filled_qty,
        o.avg_fill_price,
        o.fees,
        None if o.ended_ns is None else iso(o.ended_ns),
        o.reason,
    )


def _fill(f: Any) -> Sequence[Any]:
    return (
        f.fill_no,
        f.fill_id,
        f.client_order_id,
        f.pair,
        f.side,
        f.qty,
        f.price,
        f.fee,
        f.liquidity,
        iso(f.ts_ns),
    )


def equity_rows(points: Sequence[tuple[int, Any]]) -> Iterable[Sequence[Any]]:
    drawdowns = drawdown_series([float(v) for _, v in points])
    for (ts, value), dd in zip(points, drawdowns, strict=True):
        yield iso(ts), ts, value, repr(dd * 100)

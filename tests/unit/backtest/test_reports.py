"""The report files: every metric and row is there, exactly, and the HTML opens offline."""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from galfriday.backtest import BacktestResult, DataKind, Feed, StrategyKind, StrategySpec, open_file
from galfriday.backtest.engine import BacktestEngine
from galfriday.backtest.instruments import backtest_instruments
from galfriday.backtest.report import print_result, write_html_report, write_result_files
from galfriday.strategy import SmaCrossRule
from tests.unit.backtest._kit import permissive

XRP_5M = "freqtrade/ohlcv/XRP_USDT_USDT-5m-futures.feather"
METRICS = {
    "start_equity", "final_equity", "total_return_pct", "annualised_return_pct", "sharpe", "sortino",
    "max_drawdown_pct", "max_drawdown_usd", "trades", "win_rate_pct", "profit_factor", "avg_trade_pnl",
    "gross_profit", "gross_loss", "best_trade_pnl", "worst_trade_pnl", "avg_holding_s", "exposure_pct",
    "fees_paid", "span_s",
}  # fmt: skip


def _run(shared_data: Path) -> BacktestResult:
    settings = permissive(strategy={"max_holding_s": 7200, "sl_pct": "0.02", "tp_pct": "0.03"})
    instruments = backtest_instruments(settings, settings.pairs)
    source = open_file(shared_data / XRP_5M, "XRP/USD", instruments["XRP/USD"])
    engine = BacktestEngine(settings, instruments, StrategySpec(StrategyKind.SMA, sma=SmaCrossRule(10, 30)))
    return engine.run(Feed((source,), DataKind.BARS, 300))


@pytest.fixture(scope="module")
def result(shared_data: Path) -> BacktestResult:
    return _run(shared_data)


@pytest.fixture(scope="module")
def folder(result: BacktestResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    write_result_files(result, out)
    write_html_report(result, out / "report.html")
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_result_json_holds_every_metric_and_the_fingerprint(result: BacktestResult, folder: Path) -> None:
    data = json.loads((folder / "result.json").read_text())
    assert set(data["metrics"]) == METRICS
    assert data["fingerprint"] == result.fingerprint and len(data["fingerprint"]) == 64
    assert Decimal(data["metrics"]["final_equity"]) == result.metrics.final_equity  # exact, as text
    assert data["meta"]["strategy"] == {"kind": "sma", "params": {"fast": 10, "slow": 30}}
    assert data["meta"]["first_event"] == "2021-11-15T00:05:00Z" and data["meta"]["bar_interval_s"] == 300
    assert data["signals"]["proposed"] >= data["metrics"]["trades"] > 10
    first_month = data["monthly_returns_pct"][0]
    assert (first_month["year"], first_month["month"]) == (2021, 11)


def test_trades_orders_fills_and_equity_csv_hold_every_row_exactly(
    result: BacktestResult, folder: Path
) -> None:
    trades = _rows(folder / "trades.csv")
    assert len(trades) == len(result.trades) and trades[0]["trade_no"] == "1"
    assert sum(Decimal(t["realized_pnl"]) for t in trades) == sum(t.realized_pnl for t in result.trades)
    assert {t["exit_reason"] for t in trades} <= {"REVERSAL", "TIME_EXIT", "SL_HIT", "TP_HIT"}
    orders = _rows(folder / "orders.csv")
    assert len(orders) == len(result.orders) and {o["status"] for o in orders} <= {
        "FILLED",
        "CANCELED",
        "NEW",
    }
    fills = _rows(folder / "fills.csv")
    assert sum(Decimal(f["fee"]) for f in fills) == result.metrics.fees_paid
    equity = _rows(folder / "equity.csv")
    assert len(equity) == len(result.equity) == 2000  # the start, then one point per 5-minute bar
    assert Decimal(equity[-1]["equity"]) == result.metrics.final_equity
    assert min(float(e["drawdown_pct"]) for e in equity) == pytest.approx(-result.metrics.max_drawdown_pct)


def test_the_html_report_embeds_plotly_and_every_chart(folder: Path) -> None:
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "<script src=" not in page and "<link " not in page  # nothing loaded from the network
    assert re.search(r"plotly\.js v\d+\.\d+\.\d+", page)  # the library itself is inline
    for chart in ("chart-equity", "chart-trades", "chart-monthly", "chart-pnl"):
        assert f'id="{chart}"' in page
    for title in (
        "Equity (net of fees) and drawdown",
        "Trades on price",
        "Monthly returns",
        "Distribution of trade P",
    ):
        assert title in page
    assert "Sharpe / Sortino" in page and "fees paid" in page


def test_the_same_run_writes_the_same_bytes(
    result: BacktestResult, folder: Path, shared_data: Path, tmp_path: Path
) -> None:
    again = _run(shared_data)
    write_result_files(again, tmp_path)
    write_html_report(again, tmp_path / "report.html")
    for name in ("result.json", "trades.csv", "orders.csv", "fills.csv", "equity.csv", "report.html"):
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes(), name


def test_the_console_table_shows_the_metrics(result: BacktestResult) -> None:
    console = Console(record=True, width=120)
    print_result(result, console)
    text = console.export_text()
    for label in (
        "total return",
        "annualised return",
        "Sharpe / Sortino",
        "max drawdown",
        "win rate",
        "profit factor",
        "average P&L per trade",
        "exposure time",
        "average holding time",
        "fees paid",
    ):
        assert label in text

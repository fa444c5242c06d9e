"""Metrics on small examples worked out by hand (the arithmetic is in the comments)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from galfriday.backtest.metrics import (
    compute_metrics,
    drawdown_series,
    exposure,
    max_drawdown,
    monthly_returns,
    returns,
    sharpe,
    sortino,
)
from galfriday.backtest.rows import TradeRow

D = Decimal
DAY = 86_400 * 1_000_000_000
T0 = 1_704_067_200 * 1_000_000_000  # 2024-01-01T00:00:00Z
# Daily equity 100 -> 110 -> 99 -> 121: returns +10 %, -10 %, +22.2 % (121/99 - 1 = 2/9).
CURVE = [(T0 + i * DAY, D(v)) for i, v in enumerate(("100", "110", "99", "121"))]


def trade(pnl: str, entry_day: float, exit_day: float, n: int = 1) -> TradeRow:
    return TradeRow(
        trade_no=n, signal_no=n, pair="XRP/USD", side="BUY", qty=D(1),
        entry_time_ns=T0 + int(entry_day * DAY), exit_time_ns=T0 + int(exit_day * DAY),
        avg_entry_price=D(1), avg_exit_price=D(1), fees=D("0.1"),
        realized_pnl=D(pnl), realized_pnl_pct=0.0, exit_reason="REVERSAL",
    )  # fmt: skip


def test_returns_are_simple_returns_between_points() -> None:
    assert returns([100.0, 110.0, 99.0, 121.0]) == pytest.approx([0.1, -0.1, 2 / 9])


def test_sharpe_by_hand() -> None:
    # mean = (0.1 - 0.1 + 0.2222)/3 = 0.0740741; deviations 0.0259, -0.1741, 0.1481;
    # sample variance = (0.000672 + 0.030302 + 0.021948)/2 = 0.0264609, sd = 0.1626681;
    # per day 0.0740741/0.1626681 = 0.455369; × √365 = 8.69982.
    assert sharpe([0.1, -0.1, 2 / 9], 365) == pytest.approx(8.69982, abs=1e-5)
    assert sharpe([0.01, 0.01], 365) is None  # no volatility: no ratio
    assert sharpe([0.01], 365) is None


def test_sortino_by_hand() -> None:
    # downside deviation = √((0² + 0.1² + 0²)/3) = 0.0577350; 0.0740741/0.0577350 = 1.283001; × √365 = 24.5117
    assert sortino([0.1, -0.1, 2 / 9], 365) == pytest.approx(24.5117, abs=1e-4)
    assert sortino([0.01, 0.02], 365) is None  # no losing period


def test_max_drawdown_in_percent_and_money() -> None:
    # peak 110, trough 99: 11 USD, 10 % of the peak; 121 is a new peak afterwards.
    assert max_drawdown([v for _, v in CURVE]) == (pytest.approx(0.1), D(11))
    # the largest fall in money (1000 -> 900) is not the largest in percent (200 -> 100)
    pct, usd = max_drawdown([D(200), D(100), D(1000), D(900)])
    assert pct == pytest.approx(0.5) and usd == D(100)
    assert drawdown_series([100.0, 110.0, 99.0, 121.0]) == pytest.approx([0.0, 0.0, -0.1, 0.0])


def test_exposure_is_the_union_of_holding_time() -> None:
    # [0, 2] and [1, 3] overlap: together 3 of the 10 units; [5, 6] adds 1 -> 40 %
    assert exposure([(0, 2), (1, 3), (5, 6)], 0, 10) == pytest.approx(0.4)
    assert exposure([(8, 20)], 0, 10) == pytest.approx(0.2)  # clipped to the span


def test_monthly_returns_from_month_end_equity() -> None:
    jan31 = T0 + 30 * DAY
    feb1 = T0 + 31 * DAY  # stamped at midnight: it closes January's last bar
    points = [(T0, D(100)), (jan31, D(105)), (feb1, D(110)), (feb1 + 10 * DAY, D(99))]
    # January: 110/100 - 1 = +10 %; February: 99/110 - 1 = -10 %
    assert monthly_returns(points) == [(2024, 1, pytest.approx(0.1)), (2024, 2, pytest.approx(-0.1))]


def test_compute_metrics_by_hand() -> None:
    trades = [trade("30", 0, 1, 1), trade("-10", 1, 1.5, 2), trade("5", 2, 2.5, 3), trade("-5", 2.5, 3, 4)]
    m = compute_metrics(CURVE, trades, interval_s=86_400, fees_paid=D("0.4"))
    assert m.total_return_pct == pytest.approx(21.0)
    assert m.annualised_return_pct == pytest.approx((1.21 ** (365 / 3) - 1) * 100)  # 3 days at +21 %
    assert m.sharpe == pytest.approx(8.69982, abs=1e-5) and m.sortino == pytest.approx(24.5117, abs=1e-4)
    assert m.max_drawdown_pct == pytest.approx(10.0) and m.max_drawdown_usd == D(11)
    assert m.trades == 4 and m.win_rate_pct == pytest.approx(50.0)
    assert m.profit_factor == pytest.approx(35 / 15)  # (30 + 5) / (10 + 5)
    assert m.avg_trade_pnl == D(5)  # (30 - 10 + 5 - 5) / 4
    assert (m.gross_profit, m.gross_loss, m.best_trade_pnl, m.worst_trade_pnl) == (
        D(35),
        D(15),
        D(30),
        D(-10),
    )
    assert m.avg_holding_s == pytest.approx((1 + 0.5 + 0.5 + 0.5) / 4 * 86_400)
    assert m.exposure_pct == pytest.approx(2.5 / 3 * 100)  # held [0, 1.5] and [2, 3] of 3 days
    assert m.fees_paid == D("0.4") and m.span_s == 3 * 86_400


def test_undefined_ratios_are_none() -> None:
    flat = [(T0, D(100)), (T0 + DAY, D(100))]
    m = compute_metrics(flat, [trade("3", 0, 1)], interval_s=86_400, fees_paid=D(0))
    assert m.sharpe is None and m.sortino is None and m.profit_factor is None  # no volatility, no loss
    none = compute_metrics(flat, [], interval_s=86_400, fees_paid=D(0))
    assert none.win_rate_pct is None and none.avg_trade_pnl is None and none.avg_holding_s is None

"""Each step of a trade is one INFO line under the signal id, with its facts as fields."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from galfriday.app.runtime.trade_log import TradeLifecycleLog
from galfriday.config.sections.signal import StrategySettings
from galfriday.core.bus import SyncBus
from galfriday.core.events import (
    OrderFilled,
    OrderSubmitted,
    PredictionMade,
    SignalApproved,
    SignalProposed,
    TradeClosed,
)
from galfriday.core.types import ExitReason, LiquiditySide, OrderType, Side

SIGNAL = "5f0c6e7e-0000-4000-8000-000000000001"
PAIR = "XRP/USD"


def _events() -> list[object]:
    common = {"ts_event": 1, "ts_init": 1}
    return [
        PredictionMade(
            **common, correlation_id="p-1", pair=PAIR, model_id="m", prediction_target="up", p_up=0.7
        ),
        SignalProposed(
            **common,
            correlation_id="p-1",
            signal_id=SIGNAL,
            pair=PAIR,
            strategy_id="s",
            side=Side.BUY,
            entry_type=OrderType.LIMIT,
            entry_price=Decimal("0.5"),
            sl_price=Decimal("0.49"),
            tp_price=Decimal("0.52"),
            prediction_value=0.7,
        ),
        SignalApproved(
            **common,
            correlation_id="p-1",
            signal_id=SIGNAL,
            pair=PAIR,
            strategy_id="s",
            side=Side.BUY,
            entry_type=OrderType.LIMIT,
            qty=Decimal(100),
            entry_price=Decimal("0.5"),
            sl_price=Decimal("0.49"),
            tp_price=Decimal("0.52"),
            risk_details={"final": {"qty": "100"}},
        ),
        OrderSubmitted(
            **common,
            correlation_id=SIGNAL,
            client_order_id="c-1",
            pair=PAIR,
            side=Side.BUY,
            order_type=OrderType.LIMIT,
            qty=Decimal(100),
            limit_price=Decimal("0.5"),
        ),
        OrderFilled(
            **common,
            correlation_id=SIGNAL,
            client_order_id="c-1",
            exchange_order_id="O-1",
            fill_id="T-1",
            pair=PAIR,
            side=Side.BUY,
            qty=Decimal(40),
            price=Decimal("0.5"),
            fee=Decimal("0.01"),
            fee_currency="USD",
            liquidity=LiquiditySide.MAKER,
            cum_qty=Decimal(40),
            leaves_qty=Decimal(60),
        ),
        TradeClosed(
            **common,
            correlation_id=SIGNAL,
            trade_id="t-1",
            signal_id=SIGNAL,
            pair=PAIR,
            strategy_id="s",
            side=Side.BUY,
            qty=Decimal(100),
            avg_entry_price=Decimal("0.5"),
            avg_exit_price=Decimal("0.52"),
            entry_time_ns=1,
            exit_time_ns=2,
            fees=Decimal("0.02"),
            realized_pnl=Decimal("1.98"),
            realized_pnl_pct=0.0396,
            exit_reason=ExitReason.TP_HIT,
        ),
    ]


def test_every_step_is_logged_under_the_signal_id(caplog: pytest.LogCaptureFixture) -> None:
    bus = SyncBus()
    TradeLifecycleLog(StrategySettings()).attach(bus)
    with caplog.at_level(logging.INFO, logger="galfriday.trades"):
        for event in _events():
            bus.publish(event)
    records = caplog.records
    assert [r.event for r in records] == [  # type: ignore[attr-defined]
        "PredictionMade",
        "SignalProposed",
        "SignalApproved",
        "OrderSubmitted",
        "OrderFilled",
        "TradeClosed",
    ]
    prediction, *trade = records
    assert prediction.correlation_id == "p-1" and "enter (buy above 0.65" in prediction.getMessage()  # type: ignore[attr-defined]
    assert all(r.correlation_id == SIGNAL for r in trade)  # type: ignore[attr-defined]
    assert trade[0].origin_correlation_id == "p-1"  # type: ignore[attr-defined]
    assert trade[1].risk_checks == {"final": {"qty": "100"}}  # type: ignore[attr-defined]
    assert "PARTIALLY_FILLED" in trade[3].getMessage() and trade[3].fill_id == "T-1"  # type: ignore[attr-defined]
    assert "P&L 1.98" in trade[4].getMessage() and trade[4].realized_pnl == "1.98"  # type: ignore[attr-defined]

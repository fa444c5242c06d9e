"""Event factories for the monitoring tests: each builds a valid event with only what a test varies."""

from __future__ import annotations

from decimal import Decimal

from galfriday.core.events import (
    FeatureVectorComputed,
    OrderFilled,
    OrderSubmitted,
    PortfolioSnapshotTaken,
    PositionSnapshot,
    PredictionMade,
    SignalApproved,
    SignalProposed,
    SignalRejected,
    TradeClosed,
)
from galfriday.core.types import ExitReason, LiquiditySide, OrderType, Side

D = Decimal


def features(pair: str, ts: int) -> FeatureVectorComputed:
    return FeatureVectorComputed(
        ts_event=ts, ts_init=ts, pair=pair, feature_set_id="fs", names=("a",), values=(1.0,)
    )


def prediction(pair: str, market_ts: int, ts: int, correlation_id: str = "") -> PredictionMade:
    return PredictionMade(
        ts_event=market_ts,
        ts_init=ts,
        correlation_id=correlation_id,
        pair=pair,
        model_id="m",
        prediction_target="up",
        p_up=0.7,
    )


def proposed(signal_id: str, ts: int, correlation_id: str = "") -> SignalProposed:
    return SignalProposed(
        ts_event=ts,
        ts_init=ts,
        correlation_id=correlation_id,
        signal_id=signal_id,
        pair="XRP/USD",
        strategy_id="s",
        side=Side.BUY,
        entry_type=OrderType.LIMIT,
        entry_price=D("0.5"),
        sl_price=D("0.49"),
        tp_price=D("0.52"),
    )


def approved(signal_id: str, ts: int) -> SignalApproved:
    return SignalApproved(
        ts_event=ts,
        ts_init=ts,
        signal_id=signal_id,
        pair="XRP/USD",
        strategy_id="s",
        side=Side.BUY,
        entry_type=OrderType.LIMIT,
        qty=D(100),
        entry_price=D("0.5"),
        sl_price=D("0.49"),
        tp_price=D("0.52"),
    )


def rejected_signal(signal_id: str, ts: int, stage: str = "exposure") -> SignalRejected:
    return SignalRejected(
        ts_event=ts, ts_init=ts, signal_id=signal_id, pair="XRP/USD", stage=stage, reason="cap"
    )


def submitted(client_order_id: str, ts: int, correlation_id: str = "") -> OrderSubmitted:
    return OrderSubmitted(
        ts_event=ts,
        ts_init=ts,
        correlation_id=correlation_id,
        client_order_id=client_order_id,
        pair="XRP/USD",
        side=Side.BUY,
        order_type=OrderType.LIMIT,
        qty=D(100),
        limit_price=D("0.5"),
    )


def filled(client_order_id: str, ts: int, leaves: str = "0") -> OrderFilled:
    return OrderFilled(
        ts_event=ts,
        ts_init=ts,
        client_order_id=client_order_id,
        exchange_order_id="X1",
        fill_id=f"f-{client_order_id}-{leaves}",
        pair="XRP/USD",
        side=Side.BUY,
        qty=D(50),
        price=D("0.5"),
        fee=D("0.04"),
        fee_currency="USD",
        liquidity=LiquiditySide.MAKER,
        cum_qty=D(50),
        leaves_qty=D(leaves),
    )


def trade_closed(pnl: str, ts: int) -> TradeClosed:
    return TradeClosed(
        ts_event=ts,
        ts_init=ts,
        trade_id="t1",
        signal_id=None,
        pair="XRP/USD",
        strategy_id="s",
        side=Side.BUY,
        qty=D(100),
        avg_entry_price=D("0.5"),
        avg_exit_price=D("0.52"),
        entry_time_ns=ts - 10,
        exit_time_ns=ts,
        fees=D("0.1"),
        realized_pnl=D(pnl),
        realized_pnl_pct=0.01,
        exit_reason=ExitReason.TP_HIT,
    )


def portfolio_snapshot(ts: int) -> PortfolioSnapshotTaken:
    return PortfolioSnapshotTaken(
        ts_event=ts,
        ts_init=ts,
        equity=D("10010.5"),
        cash=D("9500"),
        available_balance=D("9400"),
        exposure_pct=0.05,
        daily_drawdown_pct=0.01,
        weekly_drawdown_pct=0.02,
        total_drawdown_pct=0.03,
        positions=(
            PositionSnapshot(
                pair="XRP/USD",
                qty=D(1000),
                avg_price=D("0.5"),
                market_price=D("0.51"),
                unrealized_pnl=D("10"),
            ),
        ),
    )

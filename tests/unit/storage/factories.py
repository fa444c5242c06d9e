"""Valid records for storage tests; each test overrides only the field it is about."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from galfriday.core.types import ExitReason, LiquiditySide, LogLevel, OrderType, Side
from galfriday.storage.db.records import (
    LogEntry,
    NewFill,
    NewOrder,
    NewPortfolioSnapshot,
    NewSignal,
    NewTrade,
)

T0 = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
# 30 significant digits: a float keeps ~15, SQLite's NUMERIC affinity would keep ~15.
THIRTY_DIGITS = Decimal("12345678901234.5678901234567890")
CONFIG_HASH_A = "a" * 64
CONFIG_HASH_B = "b" * 64
# Nothing listens on port 1 of the loopback interface: the connection is refused at once.
CLOSED_PORT_URL = "postgresql+asyncpg://trader:s3cret@127.0.0.1:1/galfriday"


def new_signal(**overrides: Any) -> NewSignal:
    values: dict[str, Any] = {
        "signal_id": uuid.uuid4(),
        "trading_pair": "XRP/USD",
        "exchange": "kraken",
        "strategy_id": "momentum-v1",
        "side": Side.BUY,
        "entry_type": OrderType.LIMIT,
        "proposed_entry_price": Decimal("0.52150"),
        "proposed_sl_price": Decimal("0.51107"),
        "proposed_tp_price": Decimal("0.54236"),
        "prediction_event_id": uuid.uuid4(),
        "prediction_value": 0.71,
        "created_at": T0,
    }
    return NewSignal(**(values | overrides))


def new_order(**overrides: Any) -> NewOrder:
    values: dict[str, Any] = {
        "client_order_id": uuid.uuid4(),
        "signal_id": None,
        "trading_pair": "XRP/USD",
        "exchange": "kraken",
        "side": Side.BUY,
        "order_type": OrderType.LIMIT,
        "quantity_ordered": Decimal("150.00000000"),
        "limit_price": Decimal("0.52150"),
        "stop_price": None,
        "created_at": T0,
    }
    return NewOrder(**(values | overrides))


def new_fill(order_pk: int, **overrides: Any) -> NewFill:
    values: dict[str, Any] = {
        "fill_id": "TCCCTY-WE2O6-P3NB37",
        "order_pk": order_pk,
        "exchange_order_id": "OQCLML-BW3P3-BUCMWZ",
        "trading_pair": "XRP/USD",
        "exchange": "kraken",
        "side": Side.BUY,
        "quantity_filled": Decimal("50.00000000"),
        "fill_price": Decimal("0.52150"),
        "commission": Decimal("0.04172000"),
        "commission_asset": "USD",
        "liquidity_type": LiquiditySide.MAKER,
        "filled_at": T0 + timedelta(seconds=2),
    }
    return NewFill(**(values | overrides))


def new_trade(**overrides: Any) -> NewTrade:
    values: dict[str, Any] = {
        "trade_id": uuid.uuid4(),
        "signal_id": None,
        "trading_pair": "XRP/USD",
        "exchange": "kraken",
        "strategy_id": "momentum-v1",
        "side": Side.BUY,
        "entry_order_pk": None,
        "exit_order_pk": None,
        "entry_timestamp": T0,
        "exit_timestamp": T0 + timedelta(minutes=30),
        "quantity": Decimal("150"),
        "average_entry_price": Decimal("0.52150"),
        "average_exit_price": Decimal("0.54236"),
        "total_commission": Decimal("0.33689"),
        "realized_pnl": Decimal("2.79211"),
        "realized_pnl_pct": 3.57,
        "exit_reason": ExitReason.TP_HIT,
    }
    return NewTrade(**(values | overrides))


def log_entry(**overrides: Any) -> LogEntry:
    values: dict[str, Any] = {
        "log_timestamp": T0,
        "source_module": "risk",
        "log_level": LogLevel.WARNING,
        "message": "exposure near cap",
        "trading_pair": "XRP/USD",
        "context": {"exposure": Decimal("0.0950")},
    }
    return LogEntry(**(values | overrides))


def new_snapshot(**overrides: Any) -> NewPortfolioSnapshot:
    values: dict[str, Any] = {
        "snapshot_timestamp": T0,
        "total_equity": Decimal("10250.12345678"),
        "available_balance": Decimal("9000.00"),
        "total_exposure_pct": 12.2,
        "daily_drawdown_pct": 0.4,
        "weekly_drawdown_pct": 1.1,
        "total_drawdown_pct": 2.5,
        "positions": [
            {
                "pair": "XRP/USD",
                "qty": Decimal("150"),
                "entry_price": Decimal("0.52150"),
                "market_value": Decimal("79.3500"),
                "unrealized_pnl": Decimal("1.1250"),
            }
        ],
    }
    return NewPortfolioSnapshot(**(values | overrides))

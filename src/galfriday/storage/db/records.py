"""Plain values the repositories accept and return, so no ORM object leaves ``storage``.

``New…`` types are what a caller knows before the row exists; ``…Record`` types add what the
database assigned (primary keys) or what changed since (status, decisions). Timestamps are aware
UTC datetimes and come from the caller's ``Clock``, so a backtest records simulated time.
Money is ``Decimal``. Enum fields hold ``core.types`` enums.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from galfriday.core.types import (
    ExitReason,
    LiquiditySide,
    LogLevel,
    OrderStatus,
    OrderType,
    Side,
    SignalStatus,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class NewSignal:
    signal_id: UUID
    trading_pair: str
    exchange: str
    strategy_id: str
    side: Side
    entry_type: OrderType  # MARKET or LIMIT
    proposed_entry_price: Decimal | None  # required for LIMIT
    proposed_sl_price: Decimal
    proposed_tp_price: Decimal
    prediction_event_id: UUID | None = None
    prediction_value: float | None = None
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class SignalRecord(NewSignal):
    status: SignalStatus
    rejection_reason: str | None
    risk_check_details: Any | None  # JSON: Decimals come back as strings


@dataclass(frozen=True, slots=True, kw_only=True)
class NewOrder:
    client_order_id: UUID
    signal_id: UUID | None
    trading_pair: str
    exchange: str
    side: Side
    order_type: OrderType
    quantity_ordered: Decimal
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None  # the trigger price of stop-loss / take-profit orders
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRecord(NewOrder):
    order_pk: int
    exchange_order_id: str | None
    status: OrderStatus
    error_message: str | None
    submitted_at: datetime | None
    last_updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class NewFill:
    fill_id: str  # the exchange's trade id: what makes recording a fill idempotent
    order_pk: int
    exchange_order_id: str | None
    trading_pair: str
    exchange: str
    side: Side
    quantity_filled: Decimal
    fill_price: Decimal
    commission: Decimal
    commission_asset: str
    liquidity_type: LiquiditySide | None
    filled_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class FillRecord(NewFill):
    fill_pk: int


@dataclass(frozen=True, slots=True)
class FillInsert:
    """The outcome of recording a fill: its row, and whether it had been recorded before."""

    fill_pk: int
    already_recorded: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class NewTrade:
    trade_id: UUID
    signal_id: UUID | None
    trading_pair: str
    exchange: str
    strategy_id: str
    side: Side  # side of the entry
    entry_order_pk: int | None
    exit_order_pk: int | None
    entry_timestamp: datetime
    exit_timestamp: datetime
    quantity: Decimal
    average_entry_price: Decimal
    average_exit_price: Decimal
    total_commission: Decimal  # quote currency
    realized_pnl: Decimal  # exit value - entry value - commissions
    realized_pnl_pct: float
    exit_reason: ExitReason


@dataclass(frozen=True, slots=True, kw_only=True)
class TradeRecord(NewTrade):
    trade_pk: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LogEntry:
    log_timestamp: datetime
    source_module: str
    log_level: LogLevel
    message: str
    trading_pair: str | None = None
    signal_id: UUID | None = None
    order_pk: int | None = None
    exception_type: str | None = None
    stack_trace: str | None = None
    context: Any | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NewPortfolioSnapshot:
    snapshot_timestamp: datetime
    total_equity: Decimal
    available_balance: Decimal
    total_exposure_pct: float
    daily_drawdown_pct: float
    weekly_drawdown_pct: float
    total_drawdown_pct: float
    positions: Any  # JSON: pair, qty, entry_price, market_value, unrealized_pnl (Decimals as strings)


@dataclass(frozen=True, slots=True, kw_only=True)
class PortfolioSnapshotRecord(NewPortfolioSnapshot):
    snapshot_pk: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigurationRecord:
    config_pk: int
    config_hash: str
    config_content: Any
    loaded_at: datetime
    is_active: bool

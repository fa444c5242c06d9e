"""The relational schema: the seven tables of the schema document, as SQLAlchemy models.

Every constraint has an explicit, stable name (``NAMING_CONVENTION``; indexes keep the names the
schema document gives them) so migrations can refer to them. Enum-like columns carry CHECKs built
from the enums in ``core.types``: a value the code cannot produce is refused by the database too.

Numeric CHECKs cast to ``DOUBLE PRECISION`` because SQLite stores money as text (``types``) and a
text compared with 0 is always "greater". The cast keeps the sign of every finite decimal, so it is
exact for ``> 0`` and ``>= 0`` on both backends.

These models describe the schema; ``storage/migrations`` creates it. A test checks they agree.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from galfriday.core.types import (
    ExitReason,
    LiquiditySide,
    LogLevel,
    OrderStatus,
    OrderType,
    Side,
    SignalStatus,
)
from galfriday.storage.db.types import ExactDecimal, JsonDocument, UtcDateTime

NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

# Signals only ever enter with a limit or at market (DESIGN §7); the column is VARCHAR(10).
ENTRY_TYPES = (OrderType.MARKET, OrderType.LIMIT)

# BIGSERIAL on PostgreSQL; on SQLite only INTEGER PRIMARY KEY auto-increments.
BigIntegerPk = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def one_of(column: str, values: Iterable[StrEnum]) -> str:
    """``column IN ('A', 'B')`` for a CHECK constraint."""
    listed = ", ".join(f"'{value.value}'" for value in values)
    return f"{column} IN ({listed})"


def positive(column: str) -> str:
    return f"CAST({column} AS DOUBLE PRECISION) > 0"


def non_negative(column: str) -> str:
    return f"CAST({column} AS DOUBLE PRECISION) >= 0"


def positive_or_null(column: str) -> str:
    return f"{column} IS NULL OR {positive(column)}"


def required_for(column: str, order_types: Iterable[OrderType], type_column: str = "order_type") -> str:
    """``column`` must be present when ``type_column`` is one of ``order_types``."""
    return f"NOT ({one_of(type_column, order_types)}) OR {column} IS NOT NULL"


def check(sql: str, name: str) -> sa.CheckConstraint:
    """A CHECK named ``ck_<table>_<name>`` by the naming convention."""
    return sa.CheckConstraint(sql, name=name)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class SignalRow(Base):
    """A trade idea from the strategy and the risk manager's verdict on it."""

    __tablename__ = "signals"

    signal_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    trading_pair: Mapped[str] = mapped_column(sa.String(16))
    exchange: Mapped[str] = mapped_column(sa.String(32))
    strategy_id: Mapped[str] = mapped_column(sa.String(64))
    side: Mapped[str] = mapped_column(sa.String(4))
    entry_type: Mapped[str] = mapped_column(sa.String(10))
    proposed_entry_price: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    proposed_sl_price: Mapped[Decimal] = mapped_column(ExactDecimal)
    proposed_tp_price: Mapped[Decimal] = mapped_column(ExactDecimal)
    prediction_event_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    prediction_value: Mapped[float | None] = mapped_column(sa.REAL)
    status: Mapped[str] = mapped_column(sa.String(10))
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    risk_check_details: Mapped[Any | None] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=sa.func.now())

    __table_args__ = (
        check(one_of("side", Side), "side"),
        check(one_of("entry_type", ENTRY_TYPES), "entry_type"),
        check(one_of("status", SignalStatus), "status"),
        check(positive_or_null("proposed_entry_price"), "proposed_entry_price_positive"),
        check(positive("proposed_sl_price"), "proposed_sl_price_positive"),
        check(positive("proposed_tp_price"), "proposed_tp_price_positive"),
        check(required_for("proposed_entry_price", [OrderType.LIMIT], "entry_type"), "limit_entry_price"),
        check(
            "(status = 'REJECTED' AND rejection_reason IS NOT NULL)"
            " OR (status <> 'REJECTED' AND rejection_reason IS NULL)",
            "rejection_reason",
        ),
        sa.Index("idx_signals_created_at", "created_at"),
        sa.Index("idx_signals_trading_pair_status", "trading_pair", "status"),
    )


class OrderRow(Base):
    """An order, written ahead as PENDING_NEW before it is sent (DESIGN §1.6)."""

    __tablename__ = "orders"

    order_pk: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    client_order_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    exchange_order_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    signal_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("signals.signal_id"))
    trading_pair: Mapped[str] = mapped_column(sa.String(16))
    exchange: Mapped[str] = mapped_column(sa.String(32))
    side: Mapped[str] = mapped_column(sa.String(4))
    # VARCHAR(20), not the document's 16: TAKE_PROFIT_LIMIT has 17 characters.
    order_type: Mapped[str] = mapped_column(sa.String(20))
    quantity_ordered: Mapped[Decimal] = mapped_column(ExactDecimal)
    limit_price: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    stop_price: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    status: Mapped[str] = mapped_column(sa.String(20))
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=sa.func.now())
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_updated_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=sa.func.now())

    __table_args__ = (
        check(one_of("side", Side), "side"),
        check(one_of("order_type", OrderType), "order_type"),
        check(one_of("status", OrderStatus), "status"),
        check(positive("quantity_ordered"), "quantity_ordered_positive"),
        check(positive_or_null("limit_price"), "limit_price_positive"),
        check(positive_or_null("stop_price"), "stop_price_positive"),
        check(
            required_for("limit_price", [t for t in OrderType if t.has_limit_price]),
            "limit_price_required",
        ),
        check(
            required_for("stop_price", [t for t in OrderType if t.has_trigger_price]),
            "stop_price_required",
        ),
        sa.Index("idx_orders_signal_id", "signal_id"),
        sa.Index("idx_orders_exchange_order_id", "exchange_order_id"),
        sa.Index("idx_orders_status", "status"),
        sa.Index("idx_orders_created_at", "created_at"),
    )


class FillRow(Base):
    """One execution reported by the exchange; ``(exchange, fill_id)`` is recorded at most once."""

    __tablename__ = "fills"

    fill_pk: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    fill_id: Mapped[str | None] = mapped_column(sa.String(64))
    order_pk: Mapped[int] = mapped_column(sa.ForeignKey("orders.order_pk"))
    exchange_order_id: Mapped[str | None] = mapped_column(sa.String(64))
    trading_pair: Mapped[str] = mapped_column(sa.String(16))
    exchange: Mapped[str] = mapped_column(sa.String(32))
    side: Mapped[str] = mapped_column(sa.String(4))
    quantity_filled: Mapped[Decimal] = mapped_column(ExactDecimal)
    fill_price: Mapped[Decimal] = mapped_column(ExactDecimal)
    commission: Mapped[Decimal] = mapped_column(ExactDecimal)
    commission_asset: Mapped[str] = mapped_column(sa.String(16))
    liquidity_type: Mapped[str | None] = mapped_column(sa.String(10))
    filled_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        check(one_of("side", Side), "side"),
        check(f"liquidity_type IS NULL OR {one_of('liquidity_type', LiquiditySide)}", "liquidity_type"),
        check(positive("quantity_filled"), "quantity_filled_positive"),
        check(positive("fill_price"), "fill_price_positive"),
        check(non_negative("commission"), "commission_non_negative"),
        sa.UniqueConstraint("exchange", "fill_id", name="uq_fills_exchange_fill"),
        sa.Index("idx_fills_order_pk", "order_pk"),
        sa.Index("idx_fills_exchange_order_id", "exchange_order_id"),
        sa.Index("idx_fills_filled_at", "filled_at"),
    )


class TradeRow(Base):
    """A closed round trip: entry, exit, fees and realised P&L net of fees."""

    __tablename__ = "trades"

    trade_pk: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    trade_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    signal_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("signals.signal_id"))
    trading_pair: Mapped[str] = mapped_column(sa.String(16))
    exchange: Mapped[str] = mapped_column(sa.String(32))
    strategy_id: Mapped[str] = mapped_column(sa.String(64))
    side: Mapped[str] = mapped_column(sa.String(4))
    entry_order_pk: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.order_pk"))
    exit_order_pk: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.order_pk"))
    entry_timestamp: Mapped[datetime] = mapped_column(UtcDateTime)
    exit_timestamp: Mapped[datetime] = mapped_column(UtcDateTime)
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal)
    average_entry_price: Mapped[Decimal] = mapped_column(ExactDecimal)
    average_exit_price: Mapped[Decimal] = mapped_column(ExactDecimal)
    total_commission: Mapped[Decimal] = mapped_column(ExactDecimal)
    realized_pnl: Mapped[Decimal] = mapped_column(ExactDecimal)
    realized_pnl_pct: Mapped[float] = mapped_column(sa.REAL)
    exit_reason: Mapped[str] = mapped_column(sa.String(32))

    __table_args__ = (
        check(one_of("side", Side), "side"),
        check(one_of("exit_reason", ExitReason), "exit_reason"),
        check(positive("quantity"), "quantity_positive"),
        check(positive("average_entry_price"), "average_entry_price_positive"),
        check(positive("average_exit_price"), "average_exit_price_positive"),
        check(non_negative("total_commission"), "total_commission_non_negative"),
        check("exit_timestamp >= entry_timestamp", "exit_after_entry"),
        sa.Index("idx_trades_signal_id", "signal_id"),
        sa.Index("idx_trades_entry_timestamp", "entry_timestamp"),
        sa.Index("idx_trades_exit_timestamp", "exit_timestamp"),
        sa.Index("idx_trades_trading_pair", "trading_pair"),
    )


class SystemLogRow(Base):
    """A log line worth keeping next to the trading record (signal and order ids, no FKs)."""

    __tablename__ = "system_logs"

    log_pk: Mapped[int] = mapped_column(BigIntegerPk, primary_key=True)
    log_timestamp: Mapped[datetime] = mapped_column(UtcDateTime, server_default=sa.func.now())
    source_module: Mapped[str] = mapped_column(sa.String(64))
    log_level: Mapped[str] = mapped_column(sa.String(10))
    message: Mapped[str] = mapped_column(sa.Text)
    trading_pair: Mapped[str | None] = mapped_column(sa.String(16))
    signal_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    order_pk: Mapped[int | None] = mapped_column(sa.Integer)
    exception_type: Mapped[str | None] = mapped_column(sa.Text)
    stack_trace: Mapped[str | None] = mapped_column(sa.Text)
    context: Mapped[Any | None] = mapped_column(JsonDocument)

    __table_args__ = (
        check(one_of("log_level", LogLevel), "log_level"),
        sa.Index("idx_system_logs_log_timestamp", "log_timestamp"),
        sa.Index("idx_system_logs_log_level", "log_level"),
        sa.Index("idx_system_logs_source_module", "source_module"),
    )


class PortfolioSnapshotRow(Base):
    """Equity, balance, exposure and drawdowns at one instant, with the open positions."""

    __tablename__ = "portfolio_snapshots"

    snapshot_pk: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    snapshot_timestamp: Mapped[datetime] = mapped_column(UtcDateTime, server_default=sa.func.now())
    total_equity: Mapped[Decimal] = mapped_column(ExactDecimal)
    available_balance: Mapped[Decimal] = mapped_column(ExactDecimal)
    total_exposure_pct: Mapped[float] = mapped_column(sa.REAL)
    daily_drawdown_pct: Mapped[float] = mapped_column(sa.REAL)
    weekly_drawdown_pct: Mapped[float] = mapped_column(sa.REAL)
    total_drawdown_pct: Mapped[float] = mapped_column(sa.REAL)
    positions: Mapped[Any] = mapped_column(JsonDocument)

    __table_args__ = (sa.Index("idx_portfolio_snapshots_timestamp", "snapshot_timestamp", unique=True),)


class ConfigurationRow(Base):
    """A configuration the system ran with, by content hash; at most one row is active."""

    __tablename__ = "configurations"

    config_pk: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    config_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    config_content: Mapped[Any] = mapped_column(JsonDocument)
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=sa.func.now())
    is_active: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.true())

    __table_args__ = (
        check("length(config_hash) = 64", "config_hash_sha256"),
        sa.Index("idx_configurations_loaded_at", "loaded_at"),
        sa.Index(
            "uq_configurations_one_active",
            "is_active",
            unique=True,
            postgresql_where=sa.text("is_active"),
            sqlite_where=sa.text("is_active"),
        ),
    )


# Tables beyond the schema document live in their own modules; importing them here registers them
# on Base.metadata wherever the models are loaded (Alembic env, the model/migration agreement test).
from galfriday.storage.db import models_halt as _models_halt  # noqa: E402, F401
from galfriday.storage.db import models_ml as _models_ml  # noqa: E402, F401
from galfriday.storage.db import models_reconciliation as _models_reconciliation  # noqa: E402, F401

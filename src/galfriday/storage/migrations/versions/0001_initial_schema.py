"""Initial schema: the seven tables of the schema document (v1.0).

signals, orders, fills, trades, system_logs, portfolio_snapshots, configurations, with their
CHECK, foreign-key and unique constraints and indexes. Money is NUMERIC on PostgreSQL and TEXT on
SQLite (exact digits; see ``storage.db.types.ExactDecimal``); numeric CHECKs cast to DOUBLE
PRECISION so they compare numbers, not text, on both. One deliberate difference from the document:
``orders.order_type`` is VARCHAR(20), since ``TAKE_PROFIT_LIMIT`` does not fit in 16.

Revision ID: 0001_initial_schema
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_initial_schema"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric().with_variant(sa.Text(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
BIGINT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

SIDE = "side IN ('BUY', 'SELL')"
ORDER_TYPES = "('MARKET', 'LIMIT', 'STOP_LOSS', 'TAKE_PROFIT', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT')"
ORDER_STATUSES = (
    "('PENDING_NEW', 'NEW', 'PARTIALLY_FILLED', 'FILLED',"
    " 'PENDING_CANCEL', 'CANCELED', 'REJECTED', 'EXPIRED')"
)
LIMIT_TYPES = "('LIMIT', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT')"
TRIGGER_TYPES = "('STOP_LOSS', 'TAKE_PROFIT', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT')"


def positive(column: str) -> str:
    return f"CAST({column} AS DOUBLE PRECISION) > 0"


def non_negative(column: str) -> str:
    return f"CAST({column} AS DOUBLE PRECISION) >= 0"


def upgrade() -> None:
    op.create_table(
        "signals",
        sa.Column("signal_id", sa.Uuid(), nullable=False),
        sa.Column("trading_pair", sa.String(16), nullable=False),
        sa.Column("exchange", sa.String(32), nullable=False),
        sa.Column("strategy_id", sa.String(64), nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("entry_type", sa.String(10), nullable=False),
        sa.Column("proposed_entry_price", MONEY, nullable=True),
        sa.Column("proposed_sl_price", MONEY, nullable=False),
        sa.Column("proposed_tp_price", MONEY, nullable=False),
        sa.Column("prediction_event_id", sa.Uuid(), nullable=True),
        sa.Column("prediction_value", sa.REAL(), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("risk_check_details", JSON, nullable=True),
        sa.Column("created_at", TIMESTAMP, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("signal_id", name="pk_signals"),
        sa.CheckConstraint(SIDE, name=op.f("ck_signals_side")),
        sa.CheckConstraint("entry_type IN ('MARKET', 'LIMIT')", name=op.f("ck_signals_entry_type")),
        sa.CheckConstraint("status IN ('PROPOSED', 'APPROVED', 'REJECTED')", name=op.f("ck_signals_status")),
        sa.CheckConstraint(
            f"proposed_entry_price IS NULL OR {positive('proposed_entry_price')}",
            name=op.f("ck_signals_proposed_entry_price_positive"),
        ),
        sa.CheckConstraint(positive("proposed_sl_price"), name=op.f("ck_signals_proposed_sl_price_positive")),
        sa.CheckConstraint(positive("proposed_tp_price"), name=op.f("ck_signals_proposed_tp_price_positive")),
        sa.CheckConstraint(
            "NOT (entry_type IN ('LIMIT')) OR proposed_entry_price IS NOT NULL",
            name=op.f("ck_signals_limit_entry_price"),
        ),
        sa.CheckConstraint(
            "(status = 'REJECTED' AND rejection_reason IS NOT NULL)"
            " OR (status <> 'REJECTED' AND rejection_reason IS NULL)",
            name=op.f("ck_signals_rejection_reason"),
        ),
    )
    op.create_index("idx_signals_created_at", "signals", ["created_at"])
    op.create_index("idx_signals_trading_pair_status", "signals", ["trading_pair", "status"])

    op.create_table(
        "orders",
        sa.Column("order_pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_order_id", sa.Uuid(), nullable=False),
        sa.Column("exchange_order_id", sa.String(64), nullable=True),
        sa.Column("signal_id", sa.Uuid(), nullable=True),
        sa.Column("trading_pair", sa.String(16), nullable=False),
        sa.Column("exchange", sa.String(32), nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        # The document says VARCHAR(16), but TAKE_PROFIT_LIMIT has 17 characters.
        sa.Column("order_type", sa.String(20), nullable=False),
        sa.Column("quantity_ordered", MONEY, nullable=False),
        sa.Column("limit_price", MONEY, nullable=True),
        sa.Column("stop_price", MONEY, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, server_default=sa.func.now(), nullable=False),
        sa.Column("submitted_at", TIMESTAMP, nullable=True),
        sa.Column("last_updated_at", TIMESTAMP, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("order_pk", name="pk_orders"),
        sa.UniqueConstraint("client_order_id", name="uq_orders_client_order_id"),
        sa.UniqueConstraint("exchange_order_id", name="uq_orders_exchange_order_id"),
        sa.ForeignKeyConstraint(["signal_id"], ["signals.signal_id"], name="fk_orders_signal_id_signals"),
        sa.CheckConstraint(SIDE, name=op.f("ck_orders_side")),
        sa.CheckConstraint(f"order_type IN {ORDER_TYPES}", name=op.f("ck_orders_order_type")),
        sa.CheckConstraint(f"status IN {ORDER_STATUSES}", name=op.f("ck_orders_status")),
        sa.CheckConstraint(positive("quantity_ordered"), name=op.f("ck_orders_quantity_ordered_positive")),
        sa.CheckConstraint(
            f"limit_price IS NULL OR {positive('limit_price')}", name=op.f("ck_orders_limit_price_positive")
        ),
        sa.CheckConstraint(
            f"stop_price IS NULL OR {positive('stop_price')}", name=op.f("ck_orders_stop_price_positive")
        ),
        sa.CheckConstraint(
            f"NOT (order_type IN {LIMIT_TYPES}) OR limit_price IS NOT NULL",
            name=op.f("ck_orders_limit_price_required"),
        ),
        sa.CheckConstraint(
            f"NOT (order_type IN {TRIGGER_TYPES}) OR stop_price IS NOT NULL",
            name=op.f("ck_orders_stop_price_required"),
        ),
    )
    op.create_index("idx_orders_signal_id", "orders", ["signal_id"])
    op.create_index("idx_orders_exchange_order_id", "orders", ["exchange_order_id"])
    op.create_index("idx_orders_status", "orders", ["status"])
    op.create_index("idx_orders_created_at", "orders", ["created_at"])

    op.create_table(
        "fills",
        sa.Column("fill_pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fill_id", sa.String(64), nullable=True),
        sa.Column("order_pk", sa.Integer(), nullable=False),
        sa.Column("exchange_order_id", sa.String(64), nullable=True),
        sa.Column("trading_pair", sa.String(16), nullable=False),
        sa.Column("exchange", sa.String(32), nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("quantity_filled", MONEY, nullable=False),
        sa.Column("fill_price", MONEY, nullable=False),
        sa.Column("commission", MONEY, nullable=False),
        sa.Column("commission_asset", sa.String(16), nullable=False),
        sa.Column("liquidity_type", sa.String(10), nullable=True),
        sa.Column("filled_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("fill_pk", name="pk_fills"),
        sa.UniqueConstraint("exchange", "fill_id", name="uq_fills_exchange_fill"),
        sa.ForeignKeyConstraint(["order_pk"], ["orders.order_pk"], name="fk_fills_order_pk_orders"),
        sa.CheckConstraint(SIDE, name=op.f("ck_fills_side")),
        sa.CheckConstraint(
            "liquidity_type IS NULL OR liquidity_type IN ('MAKER', 'TAKER')",
            name=op.f("ck_fills_liquidity_type"),
        ),
        sa.CheckConstraint(positive("quantity_filled"), name=op.f("ck_fills_quantity_filled_positive")),
        sa.CheckConstraint(positive("fill_price"), name=op.f("ck_fills_fill_price_positive")),
        sa.CheckConstraint(non_negative("commission"), name=op.f("ck_fills_commission_non_negative")),
    )
    op.create_index("idx_fills_order_pk", "fills", ["order_pk"])
    op.create_index("idx_fills_exchange_order_id", "fills", ["exchange_order_id"])
    op.create_index("idx_fills_filled_at", "fills", ["filled_at"])

    op.create_table(
        "trades",
        sa.Column("trade_pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trade_id", sa.Uuid(), nullable=False),
        sa.Column("signal_id", sa.Uuid(), nullable=True),
        sa.Column("trading_pair", sa.String(16), nullable=False),
        sa.Column("exchange", sa.String(32), nullable=False),
        sa.Column("strategy_id", sa.String(64), nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("entry_order_pk", sa.Integer(), nullable=True),
        sa.Column("exit_order_pk", sa.Integer(), nullable=True),
        sa.Column("entry_timestamp", TIMESTAMP, nullable=False),
        sa.Column("exit_timestamp", TIMESTAMP, nullable=False),
        sa.Column("quantity", MONEY, nullable=False),
        sa.Column("average_entry_price", MONEY, nullable=False),
        sa.Column("average_exit_price", MONEY, nullable=False),
        sa.Column("total_commission", MONEY, nullable=False),
        sa.Column("realized_pnl", MONEY, nullable=False),
        sa.Column("realized_pnl_pct", sa.REAL(), nullable=False),
        sa.Column("exit_reason", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("trade_pk", name="pk_trades"),
        sa.UniqueConstraint("trade_id", name="uq_trades_trade_id"),
        sa.ForeignKeyConstraint(["signal_id"], ["signals.signal_id"], name="fk_trades_signal_id_signals"),
        sa.ForeignKeyConstraint(
            ["entry_order_pk"], ["orders.order_pk"], name="fk_trades_entry_order_pk_orders"
        ),
        sa.ForeignKeyConstraint(
            ["exit_order_pk"], ["orders.order_pk"], name="fk_trades_exit_order_pk_orders"
        ),
        sa.CheckConstraint(SIDE, name=op.f("ck_trades_side")),
        sa.CheckConstraint(
            "exit_reason IN ('TP_HIT', 'SL_HIT', 'TIME_EXIT', 'REVERSAL', 'MANUAL_CLOSE', 'HALT')",
            name=op.f("ck_trades_exit_reason"),
        ),
        sa.CheckConstraint(positive("quantity"), name=op.f("ck_trades_quantity_positive")),
        sa.CheckConstraint(
            positive("average_entry_price"), name=op.f("ck_trades_average_entry_price_positive")
        ),
        sa.CheckConstraint(
            positive("average_exit_price"), name=op.f("ck_trades_average_exit_price_positive")
        ),
        sa.CheckConstraint(
            non_negative("total_commission"), name=op.f("ck_trades_total_commission_non_negative")
        ),
        sa.CheckConstraint("exit_timestamp >= entry_timestamp", name=op.f("ck_trades_exit_after_entry")),
    )
    op.create_index("idx_trades_signal_id", "trades", ["signal_id"])
    op.create_index("idx_trades_entry_timestamp", "trades", ["entry_timestamp"])
    op.create_index("idx_trades_exit_timestamp", "trades", ["exit_timestamp"])
    op.create_index("idx_trades_trading_pair", "trades", ["trading_pair"])

    op.create_table(
        "system_logs",
        sa.Column("log_pk", BIGINT_PK, autoincrement=True, nullable=False),
        sa.Column("log_timestamp", TIMESTAMP, server_default=sa.func.now(), nullable=False),
        sa.Column("source_module", sa.String(64), nullable=False),
        sa.Column("log_level", sa.String(10), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("trading_pair", sa.String(16), nullable=True),
        sa.Column("signal_id", sa.Uuid(), nullable=True),
        sa.Column("order_pk", sa.Integer(), nullable=True),
        sa.Column("exception_type", sa.Text(), nullable=True),
        sa.Column("stack_trace", sa.Text(), nullable=True),
        sa.Column("context", JSON, nullable=True),
        sa.PrimaryKeyConstraint("log_pk", name="pk_system_logs"),
        sa.CheckConstraint(
            "log_level IN ('DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL')",
            name=op.f("ck_system_logs_log_level"),
        ),
    )
    op.create_index("idx_system_logs_log_timestamp", "system_logs", ["log_timestamp"])
    op.create_index("idx_system_logs_log_level", "system_logs", ["log_level"])
    op.create_index("idx_system_logs_source_module", "system_logs", ["source_module"])

    op.create_table(
        "portfolio_snapshots",
        sa.Column("snapshot_pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("snapshot_timestamp", TIMESTAMP, server_default=sa.func.now(), nullable=False),
        sa.Column("total_equity", MONEY, nullable=False),
        sa.Column("available_balance", MONEY, nullable=False),
        sa.Column("total_exposure_pct", sa.REAL(), nullable=False),
        sa.Column("daily_drawdown_pct", sa.REAL(), nullable=False),
        sa.Column("weekly_drawdown_pct", sa.REAL(), nullable=False),
        sa.Column("total_drawdown_pct", sa.REAL(), nullable=False),
        sa.Column("positions", JSON, nullable=False),
        sa.PrimaryKeyConstraint("snapshot_pk", name="pk_portfolio_snapshots"),
    )
    op.create_index(
        "idx_portfolio_snapshots_timestamp", "portfolio_snapshots", ["snapshot_timestamp"], unique=True
    )

    op.create_table(
        "configurations",
        sa.Column("config_pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("config_hash", sa.String(64), nullable=False),
        sa.Column("config_content", JSON, nullable=False),
        sa.Column("loaded_at", TIMESTAMP, server_default=sa.func.now(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("config_pk", name="pk_configurations"),
        sa.UniqueConstraint("config_hash", name="uq_configurations_config_hash"),
        sa.CheckConstraint("length(config_hash) = 64", name=op.f("ck_configurations_config_hash_sha256")),
    )
    op.create_index("idx_configurations_loaded_at", "configurations", ["loaded_at"])
    op.create_index(
        "uq_configurations_one_active",
        "configurations",
        ["is_active"],
        unique=True,
        postgresql_where=sa.text("is_active"),
        sqlite_where=sa.text("is_active"),
    )


def downgrade() -> None:
    # Children before parents; dropping a table drops its indexes and constraints.
    for table in (
        "configurations",
        "portfolio_snapshots",
        "system_logs",
        "trades",
        "fills",
        "orders",
        "signals",
    ):
        op.drop_table(table)

"""The schema document (db_schema.sql v1.0) as data, to check the migrated database against.

Column kinds map to the SQL each backend shows when the reflected type is compiled: money is
NUMERIC on PostgreSQL but TEXT on SQLite (exact digits), UUID is CHAR(32) on SQLite, and so on.
"""

from __future__ import annotations

COLUMN_SQL = {
    "postgresql": {
        "uuid": "UUID",
        "text": "TEXT",
        "money": "NUMERIC",
        "real": "REAL",
        "timestamp": "TIMESTAMP WITH TIME ZONE",
        "json": "JSONB",
        "int": "INTEGER",
        "bigint": "BIGINT",
        "bool": "BOOLEAN",
    },
    "sqlite": {
        "uuid": "CHAR(32)",
        "text": "TEXT",
        "money": "TEXT",
        "real": "REAL",
        "timestamp": "DATETIME",
        "json": "JSON",
        "int": "INTEGER",
        "bigint": "INTEGER",  # only INTEGER PRIMARY KEY auto-increments on SQLite
        "bool": "BOOLEAN",
    },
}


def expected_sql(kind: str, backend: str) -> str:
    if kind.startswith("varchar"):
        return f"VARCHAR({kind.removeprefix('varchar')})"
    return COLUMN_SQL[backend][kind]


# table -> [(column, kind, nullable)], in document order.
COLUMNS: dict[str, list[tuple[str, str, bool]]] = {
    "signals": [
        ("signal_id", "uuid", False),
        ("trading_pair", "varchar16", False),
        ("exchange", "varchar32", False),
        ("strategy_id", "varchar64", False),
        ("side", "varchar4", False),
        ("entry_type", "varchar10", False),
        ("proposed_entry_price", "money", True),
        ("proposed_sl_price", "money", False),
        ("proposed_tp_price", "money", False),
        ("prediction_event_id", "uuid", True),
        ("prediction_value", "real", True),
        ("status", "varchar10", False),
        ("rejection_reason", "text", True),
        ("risk_check_details", "json", True),
        ("created_at", "timestamp", False),
    ],
    "orders": [
        ("order_pk", "int", False),
        ("client_order_id", "uuid", False),
        ("exchange_order_id", "varchar64", True),
        ("signal_id", "uuid", True),
        ("trading_pair", "varchar16", False),
        ("exchange", "varchar32", False),
        ("side", "varchar4", False),
        ("order_type", "varchar20", False),  # document: 16, too short for TAKE_PROFIT_LIMIT
        ("quantity_ordered", "money", False),
        ("limit_price", "money", True),
        ("stop_price", "money", True),
        ("status", "varchar20", False),
        ("error_message", "text", True),
        ("created_at", "timestamp", False),
        ("submitted_at", "timestamp", True),
        ("last_updated_at", "timestamp", False),
    ],
    "fills": [
        ("fill_pk", "int", False),
        ("fill_id", "varchar64", True),
        ("order_pk", "int", False),
        ("exchange_order_id", "varchar64", True),
        ("trading_pair", "varchar16", False),
        ("exchange", "varchar32", False),
        ("side", "varchar4", False),
        ("quantity_filled", "money", False),
        ("fill_price", "money", False),
        ("commission", "money", False),
        ("commission_asset", "varchar16", False),
        ("liquidity_type", "varchar10", True),
        ("filled_at", "timestamp", False),
    ],
    "trades": [
        ("trade_pk", "int", False),
        ("trade_id", "uuid", False),
        ("signal_id", "uuid", True),
        ("trading_pair", "varchar16", False),
        ("exchange", "varchar32", False),
        ("strategy_id", "varchar64", False),
        ("side", "varchar4", False),
        ("entry_order_pk", "int", True),
        ("exit_order_pk", "int", True),
        ("entry_timestamp", "timestamp", False),
        ("exit_timestamp", "timestamp", False),
        ("quantity", "money", False),
        ("average_entry_price", "money", False),
        ("average_exit_price", "money", False),
        ("total_commission", "money", False),
        ("realized_pnl", "money", False),
        ("realized_pnl_pct", "real", False),
        ("exit_reason", "varchar32", False),
    ],
    "system_logs": [
        ("log_pk", "bigint", False),
        ("log_timestamp", "timestamp", False),
        ("source_module", "varchar64", False),
        ("log_level", "varchar10", False),
        ("message", "text", False),
        ("trading_pair", "varchar16", True),
        ("signal_id", "uuid", True),
        ("order_pk", "int", True),
        ("exception_type", "text", True),
        ("stack_trace", "text", True),
        ("context", "json", True),
    ],
    "portfolio_snapshots": [
        ("snapshot_pk", "int", False),
        ("snapshot_timestamp", "timestamp", False),
        ("total_equity", "money", False),
        ("available_balance", "money", False),
        ("total_exposure_pct", "real", False),
        ("daily_drawdown_pct", "real", False),
        ("weekly_drawdown_pct", "real", False),
        ("total_drawdown_pct", "real", False),
        ("positions", "json", False),
    ],
    "configurations": [
        ("config_pk", "int", False),
        ("config_hash", "varchar64", False),
        ("config_content", "json", False),
        ("loaded_at", "timestamp", False),
        ("is_active", "bool", False),
    ],
}

PRIMARY_KEYS = {
    "signals": "signal_id",
    "orders": "order_pk",
    "fills": "fill_pk",
    "trades": "trade_pk",
    "system_logs": "log_pk",
    "portfolio_snapshots": "snapshot_pk",
    "configurations": "config_pk",
}

# Columns with DEFAULT NOW() / TRUE in the document.
SERVER_DEFAULTS = {
    ("signals", "created_at"),
    ("orders", "created_at"),
    ("orders", "last_updated_at"),
    ("system_logs", "log_timestamp"),
    ("portfolio_snapshots", "snapshot_timestamp"),
    ("configurations", "loaded_at"),
    ("configurations", "is_active"),
}

# index name -> (table, columns, unique); the last one is ours: at most one active configuration.
INDEXES = {
    "idx_signals_created_at": ("signals", ["created_at"], False),
    "idx_signals_trading_pair_status": ("signals", ["trading_pair", "status"], False),
    "idx_orders_signal_id": ("orders", ["signal_id"], False),
    "idx_orders_exchange_order_id": ("orders", ["exchange_order_id"], False),
    "idx_orders_status": ("orders", ["status"], False),
    "idx_orders_created_at": ("orders", ["created_at"], False),
    "idx_fills_order_pk": ("fills", ["order_pk"], False),
    "idx_fills_exchange_order_id": ("fills", ["exchange_order_id"], False),
    "idx_fills_filled_at": ("fills", ["filled_at"], False),
    "idx_trades_signal_id": ("trades", ["signal_id"], False),
    "idx_trades_entry_timestamp": ("trades", ["entry_timestamp"], False),
    "idx_trades_exit_timestamp": ("trades", ["exit_timestamp"], False),
    "idx_trades_trading_pair": ("trades", ["trading_pair"], False),
    "idx_system_logs_log_timestamp": ("system_logs", ["log_timestamp"], False),
    "idx_system_logs_log_level": ("system_logs", ["log_level"], False),
    "idx_system_logs_source_module": ("system_logs", ["source_module"], False),
    "idx_portfolio_snapshots_timestamp": ("portfolio_snapshots", ["snapshot_timestamp"], True),
    "idx_configurations_loaded_at": ("configurations", ["loaded_at"], False),
    "uq_configurations_one_active": ("configurations", ["is_active"], True),
}

# table -> unique constraints as column lists.
UNIQUE_CONSTRAINTS = {
    "orders": [["client_order_id"], ["exchange_order_id"]],
    "fills": [["exchange", "fill_id"]],
    "trades": [["trade_id"]],
    "configurations": [["config_hash"]],
}

# (table, column) -> (referred table, referred column)
FOREIGN_KEYS = {
    ("orders", "signal_id"): ("signals", "signal_id"),
    ("fills", "order_pk"): ("orders", "order_pk"),
    ("trades", "signal_id"): ("signals", "signal_id"),
    ("trades", "entry_order_pk"): ("orders", "order_pk"),
    ("trades", "exit_order_pk"): ("orders", "order_pk"),
}

# CHECK constraints by name: the document's enums, ours for every enum-like column, numeric sanity.
CHECKS = {
    "signals": {
        "ck_signals_side",
        "ck_signals_entry_type",
        "ck_signals_status",
        "ck_signals_proposed_entry_price_positive",
        "ck_signals_proposed_sl_price_positive",
        "ck_signals_proposed_tp_price_positive",
        "ck_signals_limit_entry_price",
        "ck_signals_rejection_reason",
    },
    "orders": {
        "ck_orders_side",
        "ck_orders_order_type",
        "ck_orders_status",
        "ck_orders_quantity_ordered_positive",
        "ck_orders_limit_price_positive",
        "ck_orders_stop_price_positive",
        "ck_orders_limit_price_required",
        "ck_orders_stop_price_required",
    },
    "fills": {
        "ck_fills_side",
        "ck_fills_liquidity_type",
        "ck_fills_quantity_filled_positive",
        "ck_fills_fill_price_positive",
        "ck_fills_commission_non_negative",
    },
    "trades": {
        "ck_trades_side",
        "ck_trades_exit_reason",
        "ck_trades_quantity_positive",
        "ck_trades_average_entry_price_positive",
        "ck_trades_average_exit_price_positive",
        "ck_trades_total_commission_non_negative",
        "ck_trades_exit_after_entry",
    },
    "system_logs": {"ck_system_logs_log_level"},
    "portfolio_snapshots": set(),
    "configurations": {"ck_configurations_config_hash_sha256"},
}

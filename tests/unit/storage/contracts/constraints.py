"""The database itself refuses what the code must never write: CHECK, FK and unique constraints.

Rows go in through plain Core INSERTs (no repository validation in the way), starting from a valid
row and changing one column, so each failure is the constraint under test.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from galfriday.core.types import (
    ExitReason,
    LiquiditySide,
    LogLevel,
    OrderStatus,
    OrderType,
    Side,
    SignalStatus,
)
from galfriday.storage.db.database import Database
from galfriday.storage.db.models import (
    Base,
    ConfigurationRow,
    FillRow,
    OrderRow,
    SignalRow,
    SystemLogRow,
    TradeRow,
)
from galfriday.storage.db.repositories.base import row_values
from tests.unit.storage import factories as f
from tests.unit.storage.contracts.base import BackendContract


def valid_signal() -> dict[str, Any]:
    return row_values(f.new_signal()) | {"status": SignalStatus.PROPOSED}


def valid_order() -> dict[str, Any]:
    return row_values(f.new_order()) | {"status": OrderStatus.NEW, "last_updated_at": f.T0}


def valid_fill(order_pk: int) -> dict[str, Any]:
    return row_values(f.new_fill(order_pk))


def valid_trade() -> dict[str, Any]:
    return row_values(f.new_trade())


def valid_log() -> dict[str, Any]:
    return row_values(f.log_entry())


async def insert(database: Database, model: type[Base], values: dict[str, Any]) -> Any:
    async with database.engine.begin() as connection:
        result = await connection.execute(
            sa.insert(model).values(values).returning(*model.__table__.primary_key)
        )
        return result.scalar_one()


async def insert_order(database: Database, **changes: Any) -> int:
    pk: int = await insert(database, OrderRow, valid_order() | changes)
    return pk


def fill_for(order_pk: int, **changes: Any) -> dict[str, Any]:
    return valid_fill(order_pk) | changes


BAD_ROWS = {
    "signal side HOLD": (SignalRow, lambda: valid_signal() | {"side": "HOLD"}),
    "signal status MAYBE": (SignalRow, lambda: valid_signal() | {"status": "MAYBE"}),
    "signal entry STOP_LOSS": (SignalRow, lambda: valid_signal() | {"entry_type": "STOP_LOSS"}),
    "signal negative stop-loss": (SignalRow, lambda: valid_signal() | {"proposed_sl_price": Decimal("-0.5")}),
    "signal zero take-profit": (SignalRow, lambda: valid_signal() | {"proposed_tp_price": Decimal("0")}),
    "signal negative entry": (SignalRow, lambda: valid_signal() | {"proposed_entry_price": Decimal("-1")}),
    "signal limit without price": (SignalRow, lambda: valid_signal() | {"proposed_entry_price": None}),
    "signal rejected without reason": (SignalRow, lambda: valid_signal() | {"status": "REJECTED"}),
    "signal approved with reason": (
        SignalRow,
        lambda: valid_signal() | {"status": "APPROVED", "rejection_reason": "too big"},
    ),
    "order side HOLD": (OrderRow, lambda: valid_order() | {"side": "HOLD"}),
    "order status DONE": (OrderRow, lambda: valid_order() | {"status": "DONE"}),
    "order type ICEBERG": (OrderRow, lambda: valid_order() | {"order_type": "ICEBERG"}),
    "order lowercase side": (OrderRow, lambda: valid_order() | {"side": "buy"}),
    "order negative quantity": (OrderRow, lambda: valid_order() | {"quantity_ordered": Decimal("-150")}),
    "order zero quantity": (OrderRow, lambda: valid_order() | {"quantity_ordered": Decimal("0")}),
    "order tiny negative quantity": (
        OrderRow,
        lambda: valid_order() | {"quantity_ordered": Decimal("-0.000000000000000000000000001")},
    ),
    "order negative limit": (OrderRow, lambda: valid_order() | {"limit_price": Decimal("-0.5")}),
    "order negative stop": (
        OrderRow,
        lambda: valid_order() | {"order_type": "STOP_LOSS", "stop_price": Decimal("-0.5")},
    ),
    "limit order without limit price": (OrderRow, lambda: valid_order() | {"limit_price": None}),
    "stop-loss without trigger": (OrderRow, lambda: valid_order() | {"order_type": "STOP_LOSS"}),
    "trade side HOLD": (TradeRow, lambda: valid_trade() | {"side": "HOLD"}),
    "trade exit reason BORED": (TradeRow, lambda: valid_trade() | {"exit_reason": "BORED"}),
    "trade negative quantity": (TradeRow, lambda: valid_trade() | {"quantity": Decimal("-1")}),
    "trade zero exit price": (TradeRow, lambda: valid_trade() | {"average_exit_price": Decimal("0")}),
    "trade negative entry price": (TradeRow, lambda: valid_trade() | {"average_entry_price": Decimal("-1")}),
    "trade negative commission": (TradeRow, lambda: valid_trade() | {"total_commission": Decimal("-0.01")}),
    "trade exit before entry": (
        TradeRow,
        lambda: valid_trade() | {"exit_timestamp": f.T0 - timedelta(microseconds=1)},
    ),
    "log level TRACE": (SystemLogRow, lambda: valid_log() | {"log_level": "TRACE"}),
    "config hash not SHA-256": (
        ConfigurationRow,
        lambda: {"config_hash": "abc", "config_content": {}, "loaded_at": f.T0, "is_active": False},
    ),
}

BAD_FILLS = {
    "fill side HOLD": {"side": "HOLD"},
    "fill liquidity BOTH": {"liquidity_type": "BOTH"},
    "fill negative quantity": {"quantity_filled": Decimal("-50")},
    "fill zero price": {"fill_price": Decimal("0")},
    "fill negative commission": {"commission": Decimal("-0.01")},
}

# Every enum member the code can write must be accepted.
ENUM_COLUMNS: list[tuple[type[Base], str, list[StrEnum]]] = [
    (SignalRow, "side", list(Side)),
    (SignalRow, "status", [SignalStatus.PROPOSED, SignalStatus.APPROVED]),
    (OrderRow, "side", list(Side)),
    (OrderRow, "status", list(OrderStatus)),
    (TradeRow, "side", list(Side)),
    (TradeRow, "exit_reason", list(ExitReason)),
    (SystemLogRow, "log_level", list(LogLevel)),
]


class ConstraintContract(BackendContract):
    async def test_check_rejects(self, database: Database, subtests: pytest.Subtests) -> None:
        # Subtests, not parametrisation: one database for all cases (each insert is its own
        # transaction), which matters when every database is created on a PostgreSQL server.
        for case, (model, row) in BAD_ROWS.items():
            with subtests.test(case), pytest.raises(IntegrityError):
                await insert(database, model, row())

    async def test_fill_check_rejects(self, database: Database, subtests: pytest.Subtests) -> None:
        order_pk = await insert_order(database)
        for case, changes in BAD_FILLS.items():
            with subtests.test(case), pytest.raises(IntegrityError):
                await insert(database, FillRow, fill_for(order_pk, **changes))

    async def test_every_enum_value_is_accepted(self, database: Database) -> None:
        valid = {
            SignalRow: valid_signal,
            OrderRow: valid_order,
            TradeRow: valid_trade,
            SystemLogRow: valid_log,
        }
        for model, column, members in ENUM_COLUMNS:
            for member in members:
                await insert(database, model, valid[model]() | {column: member})
        rejected = valid_signal() | {"status": SignalStatus.REJECTED, "rejection_reason": "exposure cap"}
        await insert(database, SignalRow, rejected)
        for entry_type, price in ((OrderType.MARKET, None), (OrderType.LIMIT, Decimal("0.5"))):
            await insert(
                database,
                SignalRow,
                valid_signal() | {"entry_type": entry_type, "proposed_entry_price": price},
            )
        for order_type in OrderType:
            prices = {
                "limit_price": Decimal("0.5") if order_type.has_limit_price else None,
                "stop_price": Decimal("0.49") if order_type.has_trigger_price else None,
            }
            await insert_order(database, order_type=order_type, **prices)
        order_pk = await insert_order(database)
        for n, liquidity in enumerate([*LiquiditySide, None]):
            await insert(database, FillRow, fill_for(order_pk, fill_id=f"T{n}", liquidity_type=liquidity))

    async def test_zero_commission_and_tiny_positive_amounts_are_accepted(self, database: Database) -> None:
        tiny = Decimal("0.000000000000000000000000001")
        order_pk = await insert_order(database, quantity_ordered=tiny, limit_price=tiny)
        await insert(database, FillRow, fill_for(order_pk, commission=Decimal("0"), quantity_filled=tiny))
        await insert(database, TradeRow, valid_trade() | {"total_commission": Decimal("0.000")})

    async def test_foreign_keys_are_enforced(self, database: Database) -> None:
        with pytest.raises(IntegrityError):
            await insert_order(database, signal_id=uuid.uuid4())
        with pytest.raises(IntegrityError):
            await insert(database, FillRow, valid_fill(order_pk=987654))
        with pytest.raises(IntegrityError):
            await insert(database, TradeRow, valid_trade() | {"entry_order_pk": 987654})
        with pytest.raises(IntegrityError):
            await insert(database, TradeRow, valid_trade() | {"signal_id": uuid.uuid4()})

    async def test_referenced_rows_cannot_be_deleted(self, database: Database) -> None:
        order_pk = await insert_order(database)
        await insert(database, FillRow, valid_fill(order_pk))
        with pytest.raises(IntegrityError):
            async with database.engine.begin() as connection:
                await connection.execute(sa.delete(OrderRow).where(OrderRow.order_pk == order_pk))

    async def test_unique_constraints(self, database: Database) -> None:
        order = valid_order()
        await insert(database, OrderRow, order)
        with pytest.raises(IntegrityError):
            await insert(database, OrderRow, valid_order() | {"client_order_id": order["client_order_id"]})
        await insert_order(database, exchange_order_id="OABC")
        with pytest.raises(IntegrityError):
            await insert_order(database, exchange_order_id="OABC")
        order_pk = await insert_order(database)
        await insert(database, FillRow, fill_for(order_pk, fill_id="T1"))
        with pytest.raises(IntegrityError):
            await insert(database, FillRow, fill_for(order_pk, fill_id="T1"))
        await insert(database, FillRow, fill_for(order_pk, fill_id="T1", exchange="simulator"))

    async def test_at_most_one_active_configuration(self, database: Database) -> None:
        def config(hash_char: str, active: bool) -> dict[str, Any]:
            return {
                "config_hash": hash_char * 64,
                "config_content": {},
                "loaded_at": f.T0,
                "is_active": active,
            }

        await insert(database, ConfigurationRow, config("a", True))
        await insert(database, ConfigurationRow, config("b", False))
        await insert(database, ConfigurationRow, config("c", False))
        with pytest.raises(IntegrityError):
            await insert(database, ConfigurationRow, config("d", True))

"""Orders: the write-ahead intent, its status updates, and the lookups reconciliation needs."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa

from galfriday.core.errors import StorageError
from galfriday.core.types import OrderStatus
from galfriday.storage.db.models import OrderRow
from galfriday.storage.db.records import NewOrder, OrderRecord
from galfriday.storage.db.repositories.base import Repository, row_values, to_record

OPEN_STATUSES = tuple(status for status in OrderStatus if status.is_open)


class OrderRepository(Repository):
    async def insert_intent(self, order: NewOrder) -> OrderRecord:
        """Record an order as PENDING_NEW *before* it is sent (DESIGN §1.6).

        After a crash, a PENDING_NEW row is an order that may or may not have reached the exchange;
        reconciliation looks it up there by ``client_order_id``.
        """
        async with self._transaction(f"recording order intent {order.client_order_id}") as session:
            row = OrderRow(
                **row_values(order), status=OrderStatus.PENDING_NEW, last_updated_at=order.created_at
            )
            session.add(row)
            await session.flush()
            return to_record(OrderRecord, row)

    async def update(
        self,
        client_order_id: UUID,
        *,
        status: OrderStatus,
        at: datetime,
        exchange_order_id: str | None = None,
        error_message: str | None = None,
        submitted_at: datetime | None = None,
    ) -> OrderRecord:
        """Set the status and, when given, the exchange id, error and submission time, in one statement.

        Arguments left as None keep their stored value. The exchange order id, once known, never
        changes: a different one for the same client order id is refused, since it would mean two
        exchange orders for one intent. Which status transitions are legal is the order state
        machine's business (``execution``), not this repository's.
        """
        changes: dict[str, object] = {"status": status, "last_updated_at": at}
        if exchange_order_id is not None:
            changes["exchange_order_id"] = exchange_order_id
        if error_message is not None:
            changes["error_message"] = error_message
        if submitted_at is not None:
            changes["submitted_at"] = submitted_at
        statement = sa.update(OrderRow).where(OrderRow.client_order_id == client_order_id)
        if exchange_order_id is not None:
            statement = statement.where(
                sa.or_(
                    OrderRow.exchange_order_id.is_(None),
                    OrderRow.exchange_order_id == exchange_order_id,
                )
            )
        async with self._transaction(f"updating order {client_order_id} to {status}") as session:
            updated = await session.scalar(statement.values(changes).returning(OrderRow))
            if updated is not None:
                return to_record(OrderRecord, updated)
            stored = await session.scalar(
                sa.select(OrderRow).where(OrderRow.client_order_id == client_order_id)
            )
            if stored is None:
                raise StorageError(f"cannot update order {client_order_id}: no such order")
            raise StorageError(
                f"cannot update order {client_order_id}: it has exchange order id "
                f"{stored.exchange_order_id}, not {exchange_order_id}; reconcile with the exchange"
            )

    async def get_by_client_order_id(self, client_order_id: UUID) -> OrderRecord | None:
        return await self._one(OrderRow.client_order_id == client_order_id, f"order {client_order_id}")

    async def get_by_exchange_order_id(self, exchange_order_id: str) -> OrderRecord | None:
        return await self._one(
            OrderRow.exchange_order_id == exchange_order_id, f"exchange order {exchange_order_id}"
        )

    async def list_open(
        self, trading_pair: str | None = None, *, exchange: str | None = None
    ) -> list[OrderRecord]:
        """Orders not in a terminal status (PENDING_NEW included), oldest first.

        Pass ``exchange`` wherever the answer drives trading (reconciliation, restart): backtests
        record their orders in the same tables under ``backtest-<run id>``.
        """
        statement = sa.select(OrderRow).where(OrderRow.status.in_(OPEN_STATUSES))
        if trading_pair is not None:
            statement = statement.where(OrderRow.trading_pair == trading_pair)
        if exchange is not None:
            statement = statement.where(OrderRow.exchange == exchange)
        statement = statement.order_by(OrderRow.created_at, OrderRow.order_pk)
        async with self._transaction("listing open orders") as session:
            return [to_record(OrderRecord, row) for row in await session.scalars(statement)]

    async def _one(self, condition: sa.ColumnElement[bool], what: str) -> OrderRecord | None:
        async with self._transaction(f"reading {what}") as session:
            row = await session.scalar(sa.select(OrderRow).where(condition))
            return None if row is None else to_record(OrderRecord, row)

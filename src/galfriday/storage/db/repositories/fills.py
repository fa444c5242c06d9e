"""Fills: recorded exactly once per exchange trade id, however often the exchange reports them.

Kraken reports a fill on the executions stream, again after a reconnect snapshot, and again in
TradesHistory during reconciliation. Recording is therefore idempotent on ``(exchange, fill_id)``:
the first report creates the row, later ones are "already recorded". A later report that
disagrees with the stored one about what was traded is an error, not a silent choice.
"""

from __future__ import annotations

import sqlalchemy as sa

from galfriday.core.errors import StorageError
from galfriday.storage.db.models import FillRow
from galfriday.storage.db.records import FillInsert, FillRecord, NewFill
from galfriday.storage.db.repositories.base import Repository, dialect_insert, row_values, to_record

# What must agree between two reports of the same fill. Timestamps and liquidity are left out:
# the stream and the REST history may round the time differently or omit the liquidity flag.
_IDENTITY_FIELDS = (
    "order_pk",
    "trading_pair",
    "side",
    "quantity_filled",
    "fill_price",
    "commission",
    "commission_asset",
)


class FillRepository(Repository):
    async def record(self, fill: NewFill) -> FillInsert:
        """Insert ``fill`` unless ``(exchange, fill_id)`` is already recorded; never a second row."""
        if not fill.fill_id:
            raise ValueError("a fill needs the exchange's fill id: without it a repeat cannot be recognised")
        what = f"recording fill {fill.exchange}/{fill.fill_id}"
        async with self._transaction(what) as session:
            statement = (
                dialect_insert(session, FillRow)
                .values(row_values(fill))
                .on_conflict_do_nothing(index_elements=["exchange", "fill_id"])
                .returning(FillRow.fill_pk)
            )
            fill_pk = await session.scalar(statement)
            if fill_pk is not None:
                return FillInsert(fill_pk=fill_pk, already_recorded=False)
            stored = await session.scalar(
                sa.select(FillRow).where(FillRow.exchange == fill.exchange, FillRow.fill_id == fill.fill_id)
            )
            if stored is None:  # the conflict was on something other than the fill id
                raise StorageError(f"{what} failed: the insert was ignored but no such fill exists")
            differences = [
                f"{name} {getattr(stored, name)} != {getattr(fill, name)}"
                for name in _IDENTITY_FIELDS
                if getattr(stored, name) != getattr(fill, name)
            ]
            if differences:
                raise StorageError(
                    f"fill {fill.exchange}/{fill.fill_id} is already recorded with different values "
                    f"({'; '.join(differences)}): reconcile with the exchange before trusting either"
                )
            return FillInsert(fill_pk=stored.fill_pk, already_recorded=True)

    async def list_by_order(self, order_pk: int) -> list[FillRecord]:
        """The fills of one order in the order they happened."""
        statement = (
            sa.select(FillRow)
            .where(FillRow.order_pk == order_pk)
            .order_by(FillRow.filled_at, FillRow.fill_pk)
        )
        async with self._transaction(f"listing fills of order {order_pk}") as session:
            return [to_record(FillRecord, row) for row in await session.scalars(statement)]

"""Configurations: which settings the system ran with, by content hash; exactly one is active."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from galfriday.storage.db.models import ConfigurationRow
from galfriday.storage.db.records import ConfigurationRecord
from galfriday.storage.db.repositories.base import Repository, dialect_insert, to_record


class ConfigurationRepository(Repository):
    async def record(
        self, config_hash: str, content: Mapping[str, Any], *, loaded_at: datetime | None = None
    ) -> int:
        """Make the configuration with this SHA-256 hex hash the only active one; returns its config_pk.

        Idempotent on the hash: a configuration seen before is re-activated (its ``loaded_at`` moves
        to this load) rather than stored twice. Every other configuration is deactivated in the same
        transaction, and a partial unique index guarantees at most one active row.
        ``loaded_at`` defaults to now: loading a configuration is a wall-clock event, even in a backtest.
        """
        loaded_at = loaded_at or datetime.now(UTC)
        async with self._transaction(f"recording configuration {config_hash}") as session:
            await session.execute(
                sa.update(ConfigurationRow)
                .where(ConfigurationRow.is_active, ConfigurationRow.config_hash != config_hash)
                .values(is_active=False)
            )
            insert = dialect_insert(session, ConfigurationRow).values(
                config_hash=config_hash, config_content=content, loaded_at=loaded_at, is_active=True
            )
            upsert = insert.on_conflict_do_update(
                index_elements=["config_hash"], set_={"is_active": True, "loaded_at": loaded_at}
            ).returning(ConfigurationRow.config_pk)
            config_pk: int = (await session.execute(upsert)).scalar_one()
            return config_pk

    async def get_active(self) -> ConfigurationRecord | None:
        """The configuration the system is running with, if one was recorded."""
        async with self._transaction("reading the active configuration") as session:
            row = await session.scalar(sa.select(ConfigurationRow).where(ConfigurationRow.is_active))
            return None if row is None else to_record(ConfigurationRecord, row)

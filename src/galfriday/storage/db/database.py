"""Open the relational store for the application: reachable, migrated, ready for repositories."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from galfriday.storage.db.engine import create_engine, create_session_factory, unreachable_error
from galfriday.storage.db.migrate import current_revision, require_head


@dataclass(frozen=True, slots=True)
class Database:
    """An engine on a database whose schema matches this code, and the sessions repositories use."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    async def close(self) -> None:
        await self.engine.dispose()


async def open_database(url: str, *, echo: bool = False, pool_size: int | None = None) -> Database:
    """Connect to ``url`` and check its schema revision before anything is written.

    ``echo`` and ``pool_size`` are ``database.echo`` and ``database.pool_size`` of the configuration.

    Raises ``StorageError`` saying what to do when the database is unreachable, was never migrated
    (``galfriday db upgrade``), or is at a revision this code does not expect. Failing here, at
    start-up, is better than failing on the first order.
    """
    engine = create_engine(url, echo=echo, pool_size=pool_size)
    try:
        try:
            async with engine.connect() as connection:
                revision = await connection.run_sync(current_revision)
        except (SQLAlchemyError, OSError) as exc:
            raise unreachable_error(url, exc) from exc
        require_head(url, revision)
    except BaseException:
        await engine.dispose()
        raise
    return Database(engine, create_session_factory(engine))


async def open_migrated_database(url: str) -> tuple[Database, str | None]:
    """Bring the database to the schema head, then open it; returns it and the revision reached.

    What every entry point that writes does at start, so a fresh machine needs no separate
    ``galfriday db upgrade`` step.
    """
    from galfriday.storage.db.migrate import upgrade  # Alembic is only needed on this path

    revision = await upgrade(url)
    return await open_database(url), revision

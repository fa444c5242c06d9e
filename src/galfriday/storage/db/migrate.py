"""Run the Alembic migrations programmatically, without an ``alembic.ini``.

Alembic is synchronous, so each command runs inside ``AsyncConnection.run_sync`` on a connection
this module opens and hands to ``storage/migrations/env.py``. The whole command runs in one
transaction: PostgreSQL and (with ``engine``'s explicit BEGIN) SQLite both have transactional DDL,
so a failed migration leaves the schema as it was.

To write the next revision: ``alembic.command.revision(alembic_config(), message="...")`` creates
the file in ``storage/migrations/versions``; fill in ``upgrade`` and ``downgrade`` by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from galfriday.core.errors import StorageError
from galfriday.storage.db.engine import create_engine, mask_url, unreachable_error

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"

T = TypeVar("T")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at ``storage/migrations``, optionally carrying a connection."""
    config = Config()
    # ConfigParser interpolates '%': a path containing one must be escaped.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The revision the code expects the database to be at."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # only possible if the versions folder was not installed
        raise StorageError(f"no migrations found in {MIGRATIONS_DIR}: the installation is incomplete")
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision recorded in the database, or None if it was never migrated."""
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(url: str, revision: str = "head") -> str | None:
    """Migrate the database at ``url`` forward to ``revision`` (default: the latest); returns where it is."""

    def work(connection: Connection) -> str | None:
        command.upgrade(alembic_config(connection), revision)
        return current_revision(connection)

    return await _run(url, work, f"upgrade to {revision}")


async def downgrade(url: str, revision: str) -> str | None:
    """Migrate the database at ``url`` back to ``revision``; returns where it is.

    ``"base"`` drops every table, with its data.
    """

    def work(connection: Connection) -> str | None:
        command.downgrade(alembic_config(connection), revision)
        return current_revision(connection)

    return await _run(url, work, f"downgrade to {revision}")


async def current(url: str) -> str | None:
    """The revision of the database at ``url``, or None if it has no Gal-Friday schema yet."""
    return await _run(url, current_revision, "reading the schema revision")


async def _run(url: str, work: Callable[[Connection], T], what: str) -> T:
    """Run ``work`` on a fresh connection to ``url`` in one transaction; errors become StorageError."""
    engine = create_engine(url)
    try:
        try:
            connection = await engine.connect()
        except (SQLAlchemyError, OSError) as exc:
            raise unreachable_error(url, exc) from exc
        try:
            async with connection.begin():
                return await connection.run_sync(work)
        except (SQLAlchemyError, CommandError) as exc:
            reason = str(exc).splitlines()[0]
            raise StorageError(
                f"{what} failed on {mask_url(url)}: {reason}. Nothing was changed (rolled back)"
            ) from exc
        finally:
            await connection.close()
    finally:
        await engine.dispose()


def require_head(url: str, revision: str | None) -> None:
    """Refuse a database whose schema is not the one this code was written for."""
    head = head_revision()
    if revision == head:
        return
    where = mask_url(url)
    if revision is None:
        raise StorageError(f"database {where} has no Gal-Friday schema yet: run `galfriday db upgrade`")
    try:
        known = ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        known = False
    if known:
        raise StorageError(
            f"database {where} is at schema revision {revision}, this version needs {head}: "
            "run `galfriday db upgrade`"
        )
    raise StorageError(
        f"database {where} is at schema revision {revision}, which this version of Gal-Friday does not "
        "know (a newer version migrated it): install that version, or point database.url elsewhere"
    )

"""Async engines and sessions for PostgreSQL (asyncpg) and SQLite (aiosqlite).

SQLite needs care to behave like a real database: foreign keys are off unless every connection
turns them on, a file database should use WAL so readers do not block the writer, and the Python
driver's implicit transactions neither cover DDL nor allow savepoints. ``create_engine`` fixes all
of that once, so the rest of the code treats both backends alike.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from galfriday.core.errors import StorageError

# How long asyncpg waits for the server before declaring it unreachable (its default is 60 s).
POSTGRES_CONNECT_TIMEOUT_S = 10
# How long SQLite waits for another connection's write lock before failing with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 5_000

_PASSWORD_IN_URL = re.compile(r"(//[^:/@]*:)[^@]*@")


def mask_url(url: str | URL) -> str:
    """The URL with any password replaced by ``***``, safe for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return _PASSWORD_IN_URL.sub(r"\1***@", str(url))


def create_engine(url: str | URL, *, echo: bool = False, pool_size: int | None = None) -> AsyncEngine:
    """An async engine for ``url``, configured for the backend it names.

    ``echo`` logs every statement; ``pool_size`` applies to PostgreSQL (``database.pool_size``).
    Raises ``StorageError`` for a malformed URL or a backend that is not installed. Creating the
    engine does not connect; the first query (or ``database.open_database``) does.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(
            f"{mask_url(url)!r} is not a database URL: use e.g. "
            "'postgresql+asyncpg://user:password@host/galfriday' or 'sqlite+aiosqlite:///var/galfriday.db'"
        ) from exc
    backend = parsed.get_backend_name()
    options: dict[str, Any] = {}
    if backend == "sqlite":
        _create_parent_folder(parsed)
    else:  # a server can restart under us: check pooled connections before handing them out
        options["pool_pre_ping"] = True
        if pool_size is not None:
            options["pool_size"] = pool_size
        if parsed.get_driver_name() == "asyncpg":
            options["connect_args"] = {"timeout": POSTGRES_CONNECT_TIMEOUT_S}
    try:
        engine = create_async_engine(parsed, echo=echo, **options)
    except (SQLAlchemyError, ImportError) as exc:
        raise StorageError(
            f"cannot use database {mask_url(parsed)}: {exc}. "
            "Use an async driver: postgresql+asyncpg:// or sqlite+aiosqlite://"
        ) from exc
    if backend == "sqlite":
        _configure_sqlite(engine, in_memory=_is_memory(parsed))
    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (no lazy reload across an await)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url)


def _create_parent_folder(url: URL) -> None:
    """SQLite creates the file but not its folder; a fresh install has no ``var/`` yet."""
    if _is_memory(url) or url.database is None or url.database.startswith("file:"):
        return
    try:
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"cannot create the folder for SQLite database {url.database!r}: {exc}. "
            "Check the path and permissions of database.url"
        ) from exc


def _configure_sqlite(engine: AsyncEngine, *, in_memory: bool) -> None:
    """Foreign keys, WAL, a busy timeout, and transactions that SQLAlchemy controls.

    The driver is put in autocommit mode and ``BEGIN`` is emitted by SQLAlchemy instead: otherwise
    the sqlite3 module starts transactions only before DML, so a failing migration would leave half
    its tables behind and SAVEPOINTs would not work. (SQLAlchemy documents this recipe.)
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


def unreachable_error(url: str | URL, exc: BaseException) -> StorageError:
    """The error for a database that cannot be reached: which one, why, and what to check."""
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return StorageError(
        f"cannot connect to database {mask_url(url)}: {reason}. "
        "Check that the database server is running and that database.url (or --url) is right"
    )

"""What every repository shares: one committed transaction per call, errors as StorageError.

Each public repository method is a unit of work: when it returns, the change is committed (the
write-ahead rule of DESIGN §1.6 depends on it); when it raises, nothing was written. Database
errors surface as ``StorageError`` because trading modules do not import SQLAlchemy.

SQLite note: methods that change a row start with the write (``UPDATE … RETURNING``, ``INSERT …
ON CONFLICT``) rather than read-then-write. A write-first transaction waits for SQLite's write lock
(busy timeout); one that read first can fail at once with "database is locked" in WAL mode.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import fields
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from galfriday.core.errors import StorageError
from galfriday.storage.db.models import Base

R = TypeVar("R")


class Repository:
    """Base of the repositories: holds the session factory, runs each call in its own transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    @asynccontextmanager
    async def _transaction(self, what: str) -> AsyncIterator[AsyncSession]:
        """A session in a transaction committed on exit; a database error becomes StorageError."""
        try:
            async with self._sessions.begin() as session:
                yield session
        except (SQLAlchemyError, OSError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StorageError(f"{what} failed: {reason}") from exc


def dialect_insert(session: AsyncSession, model: type[Base]) -> Any:
    """An INSERT supporting ``on_conflict_do_…`` for the session's backend (both have the same API)."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(model)
    if name == "sqlite":
        return sqlite.insert(model)
    raise StorageError(f"unsupported database backend {name!r}: use PostgreSQL or SQLite")


def row_values(record: Any) -> dict[str, Any]:
    """The fields of a record dataclass as column values (shallow: JSON documents stay as they are)."""
    return {field.name: getattr(record, field.name) for field in fields(record)}


def to_record(cls: type[R], row: Base) -> R:
    """Build ``cls`` from the same-named attributes of ``row``, turning strings back into enums."""
    values = {field.name: getattr(row, field.name) for field in fields(cls)}  # type: ignore[arg-type]
    for name, enum in _enum_fields(cls).items():
        if values[name] is not None:
            values[name] = enum(values[name])
    return cls(**values)


@functools.cache
def _enum_fields(cls: type) -> dict[str, type[StrEnum]]:
    hints = typing.get_type_hints(cls)
    found: dict[str, type[StrEnum]] = {}
    for field in fields(cls):
        for candidate in (hints[field.name], *typing.get_args(hints[field.name])):
            if isinstance(candidate, type) and issubclass(candidate, StrEnum):
                found[field.name] = candidate
    return found

"""Alembic environment: run the revisions on the connection ``storage.db.migrate`` provides.

Migrations always go through ``galfriday.storage.db.migrate`` (and so ``galfriday db …``), which
opens the async engine, starts the transaction and passes the connection in ``config.attributes``.
"""

from __future__ import annotations

from alembic import context

from galfriday.storage.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations with `galfriday db upgrade` (galfriday.storage.db.migrate), "
        "which supplies the database connection"
    )

context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()

"""Alembic scripts for the relational schema; run them with ``galfriday db upgrade``.

``env.py`` expects the connection from ``storage.db.migrate``; there is no ``alembic.ini``.
Revisions in ``versions/`` are self-contained (plain SQLAlchemy types, literal CHECK expressions)
so that later changes to the models cannot change what an old revision does.
"""

"""The relational store: one schema, PostgreSQL (asyncpg) or SQLite (aiosqlite).

- ``types``: column types that keep money exact and timestamps UTC on both backends.
- ``models``: the seven tables of the schema document, with every constraint named.
- ``engine``: engines and sessions, SQLite pragmas, URL masking.
- ``migrate``: Alembic upgrade/downgrade/current run programmatically.
- ``database``: ``open_database`` — connect, refuse an unmigrated schema, hand out sessions.
- ``records``: the plain dataclasses repositories accept and return.
- ``repositories``: the queries the rest of the system needs, one module per table.
"""

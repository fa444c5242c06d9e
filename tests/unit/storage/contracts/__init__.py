"""Behaviour every relational backend must show, written once.

The classes here have no ``Test`` prefix, so pytest does not collect them directly:
``tests/unit/storage/test_sqlite_contract.py`` runs them on SQLite and
``tests/integration/storage/test_postgres_contract.py`` on the real PostgreSQL, each folder's
``conftest.py`` supplying the ``db_url`` fixture.
"""

"""Persistence adapters (DESIGN §4).

- ``storage.db``: the relational store (SQLAlchemy models, repositories, engine and migrations
  runner) for PostgreSQL in production and SQLite as the embedded default, same models.
- ``storage.migrations``: the Alembic revisions that create and evolve the relational schema.
- ``storage.commands``: ``galfriday db …``.
- ``storage.timeseries``: the time-series store (market data, features, predictions, metrics).

Trading modules never import this package; the app wires repositories in.
"""

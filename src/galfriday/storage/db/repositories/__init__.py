"""Repositories: the queries the rest of the system needs, one table per module.

Each takes an ``async_sessionmaker`` (``Database.sessions``); each call is one committed
transaction; records in and out are the dataclasses of ``storage.db.records``.
"""

from galfriday.storage.db.repositories.configurations import ConfigurationRepository
from galfriday.storage.db.repositories.experiments import ExperimentRepository
from galfriday.storage.db.repositories.fills import FillRepository
from galfriday.storage.db.repositories.halts import HaltRepository
from galfriday.storage.db.repositories.models import ModelRepository
from galfriday.storage.db.repositories.orders import OrderRepository
from galfriday.storage.db.repositories.portfolio_snapshots import PortfolioSnapshotRepository
from galfriday.storage.db.repositories.reconciliation import ReconciliationRepository
from galfriday.storage.db.repositories.signals import SignalRepository
from galfriday.storage.db.repositories.system_logs import SystemLogRepository
from galfriday.storage.db.repositories.trades import TradeRepository

__all__ = [
    "ConfigurationRepository",
    "ExperimentRepository",
    "FillRepository",
    "HaltRepository",
    "ModelRepository",
    "OrderRepository",
    "PortfolioSnapshotRepository",
    "ReconciliationRepository",
    "SignalRepository",
    "SystemLogRepository",
    "TradeRepository",
]

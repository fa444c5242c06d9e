"""The backend contract on SQLite (see ``contracts``)."""

from __future__ import annotations

from tests.unit.storage.contracts.constraints import ConstraintContract
from tests.unit.storage.contracts.exact_values import ExactValuesContract
from tests.unit.storage.contracts.repositories import (
    ConfigurationRepositoryContract,
    FillRepositoryContract,
    OrderRepositoryContract,
    PortfolioSnapshotRepositoryContract,
    SignalRepositoryContract,
    SystemLogRepositoryContract,
    TradeRepositoryContract,
)
from tests.unit.storage.contracts.schema import SchemaContract


class TestSchemaOnSqlite(SchemaContract):
    pass


class TestConstraintsOnSqlite(ConstraintContract):
    pass


class TestExactValuesOnSqlite(ExactValuesContract):
    pass


class TestSignalRepositoryOnSqlite(SignalRepositoryContract):
    pass


class TestOrderRepositoryOnSqlite(OrderRepositoryContract):
    pass


class TestFillRepositoryOnSqlite(FillRepositoryContract):
    pass


class TestTradeRepositoryOnSqlite(TradeRepositoryContract):
    pass


class TestSystemLogRepositoryOnSqlite(SystemLogRepositoryContract):
    pass


class TestPortfolioSnapshotRepositoryOnSqlite(PortfolioSnapshotRepositoryContract):
    pass


class TestConfigurationRepositoryOnSqlite(ConfigurationRepositoryContract):
    pass

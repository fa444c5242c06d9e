"""The backend contract on the real PostgreSQL server (see ``tests/unit/storage/contracts``)."""

from __future__ import annotations

import pytest

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

pytestmark = pytest.mark.postgres


class TestSchemaOnPostgres(SchemaContract):
    pass


class TestConstraintsOnPostgres(ConstraintContract):
    pass


class TestExactValuesOnPostgres(ExactValuesContract):
    pass


class TestSignalRepositoryOnPostgres(SignalRepositoryContract):
    pass


class TestOrderRepositoryOnPostgres(OrderRepositoryContract):
    pass


class TestFillRepositoryOnPostgres(FillRepositoryContract):
    pass


class TestTradeRepositoryOnPostgres(TradeRepositoryContract):
    pass


class TestSystemLogRepositoryOnPostgres(SystemLogRepositoryContract):
    pass


class TestPortfolioSnapshotRepositoryOnPostgres(PortfolioSnapshotRepositoryContract):
    pass


class TestConfigurationRepositoryOnPostgres(ConfigurationRepositoryContract):
    pass

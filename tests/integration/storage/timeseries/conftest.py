"""InfluxDB integration tests run against the real 1.x server on 127.0.0.1:8086, each in a fresh
database that is dropped afterwards. With CI=true an absent server fails the tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import require_service

from ._influx_http import influxql


@pytest.fixture
def influx_db() -> Iterator[str]:
    require_service("InfluxDB", "127.0.0.1", 8086)
    name = f"galfriday_test_{uuid.uuid4().hex[:12]}"
    yield name
    influxql(f'DROP DATABASE "{name}"')

"""Local servers for the alerting integration tests, and a clean secret registry around each test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from galfriday.monitoring import DEFAULT_REDACTOR
from tests.integration.monitoring._servers import CaptureServer, SmtpServer


@pytest.fixture(autouse=True)
def clean_secrets() -> Iterator[None]:
    DEFAULT_REDACTOR.clear()
    yield
    DEFAULT_REDACTOR.clear()


@pytest.fixture
async def http_server() -> AsyncIterator[CaptureServer]:
    server = CaptureServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()

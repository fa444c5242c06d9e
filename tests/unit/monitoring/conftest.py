"""Fixtures for the logging tests: a clean root logger and secret registry around every test."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from galfriday.monitoring import DEFAULT_REDACTOR, shutdown_logging


@pytest.fixture(autouse=True)
def clean_logging() -> Iterator[None]:
    """Tests install sinks and register secrets globally; undo both so no test sees another's."""
    root = logging.getLogger()
    level = root.level
    DEFAULT_REDACTOR.clear()
    yield
    shutdown_logging()
    root.setLevel(level)
    DEFAULT_REDACTOR.clear()

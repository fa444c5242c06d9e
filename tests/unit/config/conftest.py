"""Fixtures for configuration tests: writing YAML files and a secret that must never leak."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

# Distinctive enough that finding it anywhere in output can only mean a leak.
LEAK_CANARY = "s3cr3t-GF-7f2b9c-DO-NOT-LEAK"


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write dedented YAML text to a fresh file and return its path."""
    counter = iter(range(1_000))

    def write(text: str) -> Path:
        path = tmp_path / f"config_{next(counter)}.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def secret() -> str:
    return LEAK_CANARY


@pytest.fixture(autouse=True)
def _no_overrides_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests that read os.environ must not pick up the developer's GALFRIDAY__* variables."""
    for name in list(os.environ):
        if name.upper().startswith("GALFRIDAY__"):
            monkeypatch.delenv(name)

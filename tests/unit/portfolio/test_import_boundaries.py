"""DESIGN §1.4: the trading kernel imports no database, HTTP or cache library (adapters do)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGES = ("strategy", "risk", "portfolio")
SRC = Path(__file__).resolve().parents[3] / "src" / "galfriday"
KERNEL = sorted(
    "galfriday." + ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
    for package in PACKAGES
    for path in (SRC / package).rglob("*.py")
)
FORBIDDEN = ("sqlalchemy", "aiohttp", "redis", "fastapi", "asyncpg", "aiosqlite", "duckdb")


def test_trading_modules_import_no_io_library() -> None:
    assert len(KERNEL) > 20  # every module of the three packages, not a hand-picked few
    code = (
        f"import sys\nfor m in {KERNEL!r}: __import__(m)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({FORBIDDEN!r})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

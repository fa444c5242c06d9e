"""What the runtime's integration and acceptance tests share: a configuration for a paper session
against a local exchange simulator, free ports, and waiting helpers.

The configuration is written as a YAML file (the way an operator runs it) with every server on
127.0.0.1 and a port nobody uses, every file in the test's tmp folder, and a livelier strategy:
short bars, a tight bracket and fees low enough for the take-profit to clear them within seconds
of accelerated market time.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

API_KEY = "test-api-key-0123456789"
HEADERS = {"X-API-Key": API_KEY}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def paper_config(
    tmp_path: Path,
    *,
    database_url: str,
    rest_url: str,
    ws_public_url: str,
    redis_url: str | None = None,
    **sections: dict[str, Any],
) -> dict[str, Any]:
    """A complete configuration; ``sections`` replace or extend the named top-level sections."""
    config: dict[str, Any] = {
        "exchange": {"rest_url": rest_url, "ws_public_url": ws_public_url, "request_timeout_s": 5},
        "pairs": ["XRP/USD", "DOGE/USD"],
        "market_data": {"bar_interval_s": 5, "stale_after_s": 600, "heartbeat_timeout_s": 15},
        "strategy": {
            "sl_pct": "0.003",
            "tp_pct": "0.004",
            "entry_timeout_s": 20,
            "max_holding_s": 300,
        },
        "risk": {"loss_streak_warn": 50, "loss_streak_halt": 100, "volatility_halt": {"enabled": False}},
        "execution": {"mode": "paper", "maker_fee": "0.0005", "taker_fee": "0.001"},
        "portfolio": {"initial_cash": "10000", "snapshot_interval_s": 30},
        "monitoring": {
            "metrics_host": "127.0.0.1",
            "metrics_port": free_port(),
            "health_check_interval_s": 5,
        },
        "logging": {
            "level": "INFO",
            "json_file": str(tmp_path / "logs" / "galfriday.jsonl"),
            "console": False,
        },
        "database": {"url": database_url},
        "timeseries": {"backend": "duckdb", "duckdb_path": str(tmp_path / "timeseries.duckdb")},
        "redis": {"url": redis_url, "key_prefix": f"galfriday-test-{free_port()}:"},
        "dashboard": {"host": "127.0.0.1", "port": free_port(), "api_key": API_KEY},
        "backtest": {"latency_ms": 20},
        "prediction": {"models_dir": str(tmp_path / "models")},
    }
    for name, value in sections.items():
        current = config.get(name)
        config[name] = (
            {**current, **value} if isinstance(current, dict) and isinstance(value, dict) else value
        )
    return config


def write_config(tmp_path: Path, config: dict[str, Any]) -> Path:
    path = tmp_path / "galfriday.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


async def wait_for(
    condition: Callable[[], bool],
    timeout_s: float,
    what: str,
    *,
    progress: Callable[[], str] | None = None,
    step_s: float = 0.05,
) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            seen = f"; seen: {progress()}" if progress is not None else ""
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}{seen}")
        await asyncio.sleep(step_s)

"""The demo's folder and configuration: everything it writes lives under one directory.

``var/demo/`` by default, emptied at the start of every run so a run never inherits the previous
one's models or database (a second training run would otherwise be judged against the first
run's production model). The configuration is written there as a plain YAML file — the one
every step of the demo loads, and the one a user can reuse with ``--config`` — so what the demo
did is exactly what the commands it prints would do.
"""

from __future__ import annotations

import secrets
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from galfriday.config import load_config

#: What the demo trades and how, unless the user's ``--config`` says otherwise: market entries
#: (a limit entry on one-minute candles would time out before the next bar could fill it), a
#: bracket sized for minutes-long trades, and a 12-bar holding limit matching the label horizon.
DEMO_SETTINGS: dict[str, Any] = {
    "pairs": ["XRP/USD", "DOGE/USD"],
    "features": {"feature_set": "bars_v1"},
    "strategy": {"entry_order_type": "MARKET", "sl_pct": "0.006", "tp_pct": "0.012", "max_holding_s": 1800},
    "risk": {"volatility_halt": {"enabled": False}},
    "execution": {"mode": "paper"},
    "backtest": {"latency_ms": 50},
}


DEMO_MARKER = "# Written by `galfriday demo`; reuse it with --config.\n"


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def config_path(self) -> Path:
        return self.root / "galfriday.yaml"

    @property
    def database_path(self) -> Path:
        return self.root / "galfriday.db"


@dataclass(frozen=True)
class Ports:
    simulator: int
    dashboard: int
    metrics: int


def prepare(root: Path) -> Workspace:
    """An empty workspace at ``root`` (refusing to empty a folder that is not a demo's)."""
    root = root.resolve()
    if root.exists() and any(root.iterdir()) and not _written_by_the_demo(root / "galfriday.yaml"):
        raise FileExistsError(
            f"{root} exists and is not a demo folder (no galfriday.yaml the demo wrote): choose another --dir"
        )
    shutil.rmtree(root, ignore_errors=True)
    workspace = Workspace(root)
    workspace.data.mkdir(parents=True)
    workspace.reports.mkdir()
    return workspace


def _written_by_the_demo(config: Path) -> bool:
    """Only a folder holding the configuration the demo itself wrote may be emptied: a user's own
    ``galfriday.yaml`` beside their files must never be taken for one."""
    try:
        with config.open(encoding="utf-8") as file:
            return file.readline() == DEMO_MARKER
    except OSError:
        return False


def write_config(workspace: Workspace, base_file: Path | None, ports: Ports) -> tuple[Path, str]:
    """Write the demo's configuration; returns its path and the dashboard's API key.

    ``base_file`` (the user's ``--config``) replaces the demo's trading settings; the demo always
    sets where files go, the simulator's URLs, paper mode and free local ports. The user's file is
    validated first, so its mistakes are reported against its own name.
    """
    if base_file is not None:
        load_config(base_file)
        base = yaml.safe_load(Path(base_file).read_text(encoding="utf-8")) or {}
    else:
        base = DEMO_SETTINGS
    api_key = secrets.token_urlsafe(18)
    root = workspace.root
    forced: dict[str, Any] = {
        "exchange": {
            "rest_url": f"http://127.0.0.1:{ports.simulator}",
            "ws_public_url": f"ws://127.0.0.1:{ports.simulator}/v2",
        },
        "execution": {"mode": "paper"},
        # an accelerated market moves minutes of market time per wall second
        "market_data": {"stale_after_s": 900, "heartbeat_timeout_s": 60},
        "database": {"url": f"sqlite+aiosqlite:///{workspace.database_path}"},
        "timeseries": {"backend": "duckdb", "duckdb_path": str(root / "timeseries.duckdb")},
        # 2 minutes of market time are 0.4 s of wall time at 300x: the inference pool's hiccups
        "prediction": {"models_dir": str(root / "models"), "max_delay_s": 120},
        "backtest": {"report_dir": str(workspace.reports), "data_path": str(workspace.data)},
        "logging": {"json_file": str(root / "logs" / "galfriday.jsonl"), "console": False},
        "monitoring": {"metrics_host": "127.0.0.1", "metrics_port": ports.metrics},
        "dashboard": {"host": "127.0.0.1", "port": ports.dashboard, "api_key": api_key},
    }
    forced["exchange"]["nonce_file"] = str(root / "kraken.nonce")
    config = _merged(base, forced)
    workspace.config_path.write_text(
        DEMO_MARKER + yaml.safe_dump(config, sort_keys=False),
        encoding="utf-8",
    )
    load_config(workspace.config_path)  # fail here, not half-way through the demo
    return workspace.config_path, api_key


def free_ports() -> Ports:
    """Three distinct free local ports (held open together so none is handed out twice)."""
    sockets = [socket.socket() for _ in range(3)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        simulator, dashboard, metrics = (int(s.getsockname()[1]) for s in sockets)
    finally:
        for sock in sockets:
            sock.close()
    return Ports(simulator, dashboard, metrics)


def _merged(base: dict[str, Any], forced: dict[str, Any]) -> dict[str, Any]:
    out = {key: (dict(value) if isinstance(value, dict) else value) for key, value in base.items()}
    for key, value in forced.items():
        current = out.get(key)
        out[key] = {**current, **value} if isinstance(current, dict) and isinstance(value, dict) else value
    return out

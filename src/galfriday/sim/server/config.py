"""Everything an exchange simulator run is configured with; the CLI builds one from its flags.

Defaults make a useful local exchange with no arguments: 127.0.0.1, a random port, the seeded
synthetic market for XRP/USD and DOGE/USD at real-time speed, one demo account, no faults and no
state file. ``latency_ms`` is the matching engine's extra delay; 0 because the socket between
the client and the simulator already is the real latency, and Kraken's CancelOrder answers
after the cancel took effect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from galfriday.core.instruments import Instrument, default_instruments
from galfriday.sim.errors import SimError
from galfriday.sim.server.accounts import AccountSpec


def parse_speed(text: str) -> float:
    """``1``, ``1x``, ``10x``, ``0.5`` or ``max`` -> a replay speed (``math.inf`` for max)."""
    value = text.strip().lower()
    if value in ("max", "inf", "fast"):
        return math.inf
    try:
        speed = float(value.removesuffix("x"))
    except ValueError:
        raise SimError(f"--speed {text!r}: use 1, 10x, 0.5 or max") from None
    if not speed > 0:
        raise SimError(f"--speed must be > 0 (or max), got {text!r}")
    return speed


@dataclass(frozen=True, slots=True)
class DataFile:
    """One Parquet file of recorded market data for one pair (candles or trades, found by columns)."""

    pair: str
    path: Path

    @classmethod
    def parse(cls, text: str) -> DataFile:
        """``XRP/USD=path/to/file.parquet``."""
        pair, sep, path = text.partition("=")
        if not sep or not pair.strip() or not path.strip():
            raise SimError(f"--data {text!r}: use PAIR=FILE, e.g. XRP/USD=data/xrp_trades.parquet")
        return cls(pair.strip(), Path(path.strip()))


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatorConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: pick a free port (tests); the chosen one is in ExchangeSimulator.rest_url
    seed: int = 0
    speed: float = 1.0
    data: tuple[DataFile, ...] = ()
    accounts: tuple[AccountSpec, ...] = ()  # empty: one demo account (accounts.demo_account)
    faults_json: str = ""  # initial faults, JSON (see sim.server.faults)
    state_path: Path | None = None
    admin_token: str | None = None  # None: the /admin endpoints are off
    instruments: tuple[Instrument, ...] = field(default_factory=lambda: tuple(default_instruments().values()))
    latency_ms: float = 0.0
    heartbeat_s: float = 1.0
    state_flush_s: float = 0.25
    token_ttl_s: float = 900.0
    ws_queue_limit: int = 50_000  # frames waiting for a slow client before it is disconnected

    def __post_init__(self) -> None:
        if not 0 <= self.port < 65536:
            raise SimError(f"port must be 0..65535, got {self.port}")
        if self.latency_ms < 0 or self.heartbeat_s <= 0 or self.state_flush_s <= 0:
            raise SimError("latency_ms must be >= 0; heartbeat_s and state_flush_s must be > 0")
        symbols = {i.symbol for i in self.instruments}
        unknown = [d.pair for d in self.data if d.pair not in symbols]
        if unknown:
            raise SimError(f"--data for {unknown}: the simulator trades {sorted(symbols)} only")

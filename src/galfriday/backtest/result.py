"""``BacktestResult``: everything a run produced, in one object the reports and the database read.

Deterministic by construction: the same inputs and seed give equal results (and byte-identical
files, see ``report.files``). ``venue_log``/``kernel_log`` are the raw events the database replay
needs; ``failures`` lists handler errors on the bus — a run with any is not to be trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from galfriday.backtest.metrics import Metrics
from galfriday.backtest.rows import FillRow, OrderRow, TradeRow
from galfriday.core.events import Event, PortfolioSnapshotTaken


@dataclass(frozen=True)
class RunMeta:
    strategy: dict[str, Any]
    pairs: tuple[str, ...]
    data_kind: str
    bar_interval_s: int  # also the spacing of the equity curve
    data: tuple[str, ...]
    seed: int
    config_hash: str
    quote_currency: str
    initial_cash: Decimal
    first_event_ns: int
    last_event_ns: int
    events: int


@dataclass(frozen=True)
class OpenPosition:
    pair: str
    qty: Decimal
    avg_price: Decimal
    mark: Decimal | None
    entry_time_ns: int


@dataclass(frozen=True)
class Halt:
    ts_ns: int
    trigger: str
    reason: str


@dataclass(frozen=True)
class SignalCounts:
    proposed: int
    approved: int
    rejected: int
    rejected_by_stage: dict[str, int]


@dataclass(frozen=True)
class BacktestResult:
    meta: RunMeta
    metrics: Metrics
    fingerprint: str
    trades: tuple[TradeRow, ...]
    orders: tuple[OrderRow, ...]
    fills: tuple[FillRow, ...]
    equity: tuple[tuple[int, Decimal], ...]
    open_positions: tuple[OpenPosition, ...]
    signals: SignalCounts
    halts: tuple[Halt, ...]
    failures: tuple[str, ...]
    snapshots: tuple[PortfolioSnapshotTaken, ...] = ()
    venue_log: tuple[Event, ...] = field(default=(), repr=False)
    kernel_log: tuple[Event, ...] = field(default=(), repr=False)
    closes: dict[str, tuple[tuple[int, Decimal], ...]] = field(default_factory=dict, repr=False)

"""A run's record in the relational database, written the way a live session writes it.

The rows go through the same adapters a paper session uses: ``SignalRecorder`` (signals and their
risk verdicts), the write-ahead ``OrderJournal`` (orders and fills — fed the recorded commands and
venue reports in the order they happened, behind a venue that sends nothing, so its state machine
writes exactly the rows it would have written live) and ``TradeRecorder``. They are written after
the run: the backtest never waits on the database. Portfolio snapshots are NOT written: the table
has no run column and a live restart restores from the latest snapshot, so a backtest's must never
be there; the equity curve is in the run's files.

Tagging, without a schema change:
- ``exchange`` is ``backtest-<first 12 hex of the run id>`` on signals, orders, fills and trades,
  so a dashboard or a reconciliation that filters on ``exchange = 'kraken'`` never mixes them in;
- the ids the schema keeps unique across all runs are made unique per run, so recording a result
  twice (or two runs with the same seed) never collides: client order, signal and trade ids become
  ``uuid5(run_id, id)`` and an exchange order id ``<tag>:<id>`` (the result files keep the plain
  ids: ``db_id`` maps one to the other);
- one ``system_logs`` row (source ``galfriday.backtest``) holds the run: its id, tag, strategy,
  window, config hash, fingerprint and headline metrics.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from galfriday.backtest.report.serialize import iso, plain
from galfriday.backtest.result import BacktestResult
from galfriday.core.errors import StorageError
from galfriday.core.events import (
    CancelOrder,
    Command,
    Event,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    SignalApproved,
    SignalProposed,
    SignalRejected,
    SubmitOrder,
    TradeClosed,
)
from galfriday.core.types import LogLevel
from galfriday.storage.db.database import Database
from galfriday.storage.db.records import LogEntry
from galfriday.storage.db.repositories import (
    FillRepository,
    OrderRepository,
    SignalRepository,
    SystemLogRepository,
    TradeRepository,
)
from galfriday.storage.recorders.orders import OrderJournal
from galfriday.storage.recorders.signals import SignalRecorder
from galfriday.storage.recorders.trades import TradeRecorder

logger = logging.getLogger(__name__)

SOURCE = "galfriday.backtest"
_SIGNAL_EVENTS = (SignalProposed, SignalApproved, SignalRejected)
_WITH_EXCHANGE_ID = (OrderAccepted, OrderCanceled, OrderExpired, OrderFilled)
#: Called with (rows written so far, rows in total).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RunRecord:
    run_id: uuid.UUID
    exchange_tag: str
    signals: int
    orders: int
    fills: int
    trades: int


def exchange_tag(run_id: uuid.UUID) -> str:
    return f"backtest-{run_id.hex[:12]}"


def db_id(run_id: uuid.UUID, original: str) -> str:
    """The id a client order, signal or trade id of the run was stored under."""
    return str(uuid.uuid5(run_id, original))


class _SentAlready:
    """The journal's venue: the run is over, so forwarding a command does nothing."""

    def submit(self, command: SubmitOrder) -> None:
        return None

    def cancel(self, command: CancelOrder) -> None:
        return None

    def attach(self, bus: object) -> None:
        return None


class _NoBus:
    """The journal subscribes to commands on a bus; here they are handed to it directly."""

    def subscribe(self, *args: object, **kwargs: object) -> None:
        return None


def rows_to_write(result: BacktestResult) -> int:
    """How many rows ``persist_run`` writes (for a progress bar): the events recorded."""
    recorded = [e for e in result.kernel_log if isinstance(e, (*_SIGNAL_EVENTS, TradeClosed))]
    return len(recorded) + len(result.venue_log)


async def persist_run(
    database: Database,
    result: BacktestResult,
    run_id: uuid.UUID,
    *,
    extra_context: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> RunRecord:
    """Write the run's rows and its ``system_logs`` record (see the module docstring)."""
    tag = exchange_tag(run_id)
    sessions = database.sessions
    signal_events = [e for e in result.kernel_log if isinstance(e, _SIGNAL_EVENTS)]
    trades = [e for e in result.kernel_log if isinstance(e, TradeClosed)]
    total = rows_to_write(result)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    signals = SignalRecorder(SignalRepository(sessions), exchange=tag)
    for event in (_namespaced(e, run_id, tag) for e in signal_events):
        (signals.on_proposed if isinstance(event, SignalProposed) else signals.on_verdict)(event)  # type: ignore[arg-type]
    await _drain(signals.queue, len(signal_events), advance)

    journal = OrderJournal(OrderRepository(sessions), FillRepository(sessions), lambda _e: None, exchange=tag)
    journal.attach(_NoBus(), _SentAlready())
    for event in result.venue_log:
        namespaced = _namespaced(event, run_id, tag)
        if isinstance(namespaced, Command):
            journal.on_command(namespaced)
        else:
            journal.on_report(namespaced)
    await _drain(journal.queue, len(result.venue_log), advance)

    recorder = TradeRecorder(TradeRepository(sessions), exchange=tag)
    for trade in trades:
        recorder.on_trade_closed(_namespaced(trade, run_id, tag))  # type: ignore[arg-type]
    await _drain(recorder.queue, len(trades), advance)

    # Snapshots are not stored: ``portfolio_snapshots`` has no run column, and a live restart
    # restores from the latest snapshot — it must never pick up a backtest's. The equity curve is
    # in the run's equity.csv and result.json.
    context = _context(result, run_id, tag) | (extra_context or {})
    await SystemLogRepository(sessions).insert_many(
        [
            LogEntry(
                log_timestamp=datetime.now(UTC),
                source_module=SOURCE,
                log_level=LogLevel.INFO,
                message=(
                    f"backtest run {run_id}: {result.meta.strategy['kind']} on "
                    f"{', '.join(result.meta.pairs)}, {len(result.trades)} trades, "
                    f"fingerprint {result.fingerprint[:16]}"
                ),
                context=context,
            )
        ]
    )
    failed = signals.queue.failed + journal.queue.failed + recorder.queue.failed
    if failed:
        raise StorageError(
            f"{failed} row(s) of backtest run {run_id} were refused by the database (see the log); the run's "
            f"rows (exchange = {tag!r}) are incomplete: delete them and persist again"
        )
    return RunRecord(
        run_id=run_id,
        exchange_tag=tag,
        signals=len([e for e in signal_events if isinstance(e, SignalProposed)]),
        orders=len(result.orders),
        fills=len(result.fills),
        trades=len(trades),
    )


async def _drain(queue: Any, jobs: int, advance: Callable[[int], None]) -> None:
    await queue.flush()  # no time limit: a long run has many rows; ``close`` would give up after 10 s
    await queue.close()
    advance(jobs)


def _namespaced(event: Event, run_id: uuid.UUID, tag: str) -> Event:
    """``event`` with every id the schema keeps unique made this run's (see the module docstring)."""
    changes: dict[str, str] = {}
    for name in ("client_order_id", "signal_id", "trade_id"):
        value = getattr(event, name, None)
        if value:
            changes[name] = db_id(run_id, value)
    if isinstance(event, _WITH_EXCHANGE_ID) and event.exchange_order_id:
        changes["exchange_order_id"] = f"{tag}:{event.exchange_order_id}"
    return msgspec.structs.replace(event, **changes)


def _context(result: BacktestResult, run_id: uuid.UUID, tag: str) -> dict[str, Any]:
    meta, metrics = result.meta, result.metrics
    return plain(
        {
            "kind": "backtest_run",
            "run_id": str(run_id),
            "exchange_tag": tag,
            "strategy": meta.strategy,
            "pairs": list(meta.pairs),
            "from": iso(result.equity[0][0]),
            "to": iso(result.equity[-1][0]),
            "seed": meta.seed,
            "config_hash": meta.config_hash,
            "data": list(meta.data),
            "fingerprint": result.fingerprint,
            "metrics": asdict(metrics),
            "ids": "client order, signal and trade ids: uuid5(run_id, id); exchange order ids: <tag>:<id>",
        }
    )

"""``galfriday demo``: the README's main job on embedded defaults (no servers, keys or shared files).

It runs everything that exists end to end and grows with the system: start-up (configuration,
logging, database migration, configuration record), then a simulated session on the event kernel
— a SimClock drives a SyncBus through the day's state changes and a stream of one-minute timer
events — whose state changes are persisted to ``system_logs`` and summarised on the console.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from galfriday.app.bootstrap import Started, start
from galfriday.core.bus import SyncBus
from galfriday.core.clock import NS_PER_S, SimClock
from galfriday.core.events import Event, SystemStateChanged
from galfriday.core.types import LogLevel, SystemState
from galfriday.storage.db.records import LogEntry
from galfriday.storage.db.repositories import SystemLogRepository

logger = logging.getLogger("galfriday.demo")


class _SessionRecorder:
    """Counts every event and keeps the state changes to persist afterwards (off the hot path)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.state_changes: list[SystemStateChanged] = []

    def on_event(self, event: Event) -> None:
        self.counts[type(event).__name__] += 1

    def on_state(self, event: SystemStateChanged) -> None:
        self.state_changes.append(event)
        logger.info("system %s -> %s: %s", event.previous, event.current, event.reason)


def simulate_session(minutes: int, start_ns: int) -> tuple[_SessionRecorder, SyncBus]:
    """Drive the kernel through ``minutes`` of simulated time; deterministic for a given start."""
    clock = SimClock(start_ns=start_ns)
    bus = SyncBus()
    recorder = _SessionRecorder()
    bus.subscribe(Event, recorder.on_event, name="recorder")
    bus.subscribe(SystemStateChanged, recorder.on_state, name="state-log")

    def change(previous: SystemState, current: SystemState, reason: str) -> None:
        now = clock.timestamp_ns()
        bus.publish(SystemStateChanged(ts_event=now, ts_init=now, previous=previous, current=current,
                                       reason=reason))

    change(SystemState.STOPPED, SystemState.STARTING, "demo session starting")
    change(SystemState.STARTING, SystemState.RUNNING, "kernel ready")
    clock.set_timer("bar-1m", 60 * NS_PER_S, bus.publish, stop_ns=start_ns + minutes * 60 * NS_PER_S)
    clock.advance_to(start_ns + minutes * 60 * NS_PER_S)
    change(SystemState.RUNNING, SystemState.STOPPING, "session length reached")
    change(SystemState.STOPPING, SystemState.STOPPED, "clean shutdown")
    return recorder, bus


async def _persist(started: Started, recorder: _SessionRecorder) -> None:
    entries = [
        LogEntry(
            log_timestamp=datetime.fromtimestamp(e.ts_event / NS_PER_S, UTC),
            source_module="galfriday.demo",
            log_level=LogLevel.INFO,
            message=f"system {e.previous} -> {e.current}: {e.reason}",
            context={"config_hash": started.config_hash, "event_id": e.event_id},
        )
        for e in recorder.state_changes
    ]
    await SystemLogRepository(started.database.sessions).insert_many(entries)


async def run_demo(config_file: str | Path | None, minutes: int, console: Console) -> int:
    started = await start(config_file, console_logs=False)
    try:
        wall = time.perf_counter()
        recorder, bus = simulate_session(minutes, start_ns=1_767_225_600 * NS_PER_S)  # 2026-01-01
        elapsed = time.perf_counter() - wall
        await _persist(started, recorder)
    finally:
        await started.database.close()

    settings = started.settings
    table = Table(title="Gal-Friday demo", show_header=False)
    table.add_row("configuration", f"{started.config_hash[:16]}… recorded as #{started.config_pk}")
    table.add_row("database", f"{settings.database.url} (schema {started.revision})")
    table.add_row("pairs", ", ".join(settings.pairs))
    table.add_row("simulated session", f"{minutes} min in {elapsed * 1000:.1f} ms of wall time")
    table.add_row("events", ", ".join(f"{k}={v}" for k, v in sorted(recorder.counts.items())))
    table.add_row("state changes", " → ".join(["STOPPED"] + [e.current for e in recorder.state_changes]))
    table.add_row("handler errors", str(sum(int(s["errors"]) for s in bus.stats())))
    table.add_row("logs", str(settings.logging.json_file))
    console.print(table)
    console.print("Next: `galfriday config show` prints the effective configuration; "
                  "`galfriday db current` the schema revision.")
    return 0


def demo(config_file: str | Path | None = None, minutes: int = 60) -> int:
    return asyncio.run(run_demo(config_file, minutes, Console()))


__all__ = ["demo", "simulate_session"]

"""The running system: market data in → order out, and the memory of a paper session.

Run: python -m bench.bench_runtime [--speed 60] [--skip-memory]   (prints what it measured)

1. Internal latency, from a WebSocket frame received (its text in hand, before decoding) to the
   resulting order request reaching the venue (``venue.submit`` called), on the session's wiring:
   one AsyncBus and a LiveClock, ``DataIngestor`` (decode, checksum-verified book) → strategy →
   ``RiskManager`` (reading the ``PortfolioManager``) → ``ExecutionHandler`` → venue. The frames
   are the exchange simulator's real WS v2 frames for XRP/USD and DOGE/USD (captured over a socket
   first, so the network is not counted), fed 2 ms apart. A bench source enters on every book
   update while flat; the venue accepts and cancels each order at once, so the pair is flat again.
   Variants: without inference; with one XGBoost inference (inline runner, the shipped bars_v1
   model trained on ../shared/data candles) on the path; each with the venue straight on the bus,
   and behind the write-ahead ``OrderJournal`` on SQLite (the PENDING_NEW row is written before
   the venue sees the order, DESIGN §1.6). p50/p99 over every order after a warm-up.
2. Memory: RSS of a 2-pair paper session (``runtime.Session``, SQLite + DuckDB, RSI rule
   strategy) after one hour of market data from the exchange simulator (in its own process)
   replayed at ``--speed`` (the session's clock follows it), sampled with psutil.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
import psutil
import yaml

from galfriday.config.sections.risk import PortfolioSettings, RiskSettings
from galfriday.config.sections.signal import StrategySettings
from galfriday.core.bus import AsyncBus
from galfriday.core.clock import LiveClock
from galfriday.core.events import (
    CancelOrder,
    Command,
    Event,
    OrderAccepted,
    OrderBookUpdated,
    OrderCanceled,
    SignalProposed,
    SubmitOrder,
)
from galfriday.core.instruments import default_instruments
from galfriday.execution import ExecutionHandler
from galfriday.kraken.ws_schemas import decode_message
from galfriday.marketdata.ingestor import DataIngestor
from galfriday.portfolio.manager import PortfolioManager
from galfriday.risk.halt import HaltCoordinator
from galfriday.risk.manager import RiskManager
from galfriday.sim.server import ExchangeSimulator, SimulatorConfig
from galfriday.strategy.arbitrator import StrategyArbitrator
from galfriday.strategy.intents import Action, Intent

PAIRS = ("XRP/USD", "DOGE/USD")
INSTRUMENTS = default_instruments()
WARMUP_ORDERS = 50
FRAME_GAP_S = 0.002
CANDLES = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "freqtrade"
    / "ohlcv"
    / ("XRP_USDT_USDT-5m-futures.feather")
)
Infer = Callable[[], object]


# -- 1. latency -----------------------------------------------------------------------------------


async def capture_frames(seconds: float) -> list[str]:
    """The simulator's WS v2 public frames (instrument, books, trades) for ``seconds``."""
    frames: list[str] = []
    async with (
        ExchangeSimulator(SimulatorConfig(speed=5.0, seed=2)) as sim,
        aiohttp.ClientSession() as http,
        http.ws_connect(sim.ws_public_url, max_msg_size=0) as ws,
    ):
        for req_id, params in enumerate(
            (
                {"channel": "instrument", "snapshot": True},
                {"channel": "book", "symbol": list(PAIRS), "depth": 10, "snapshot": True},
                {"channel": "trade", "symbol": list(PAIRS), "snapshot": False},
            ),
            start=1,
        ):
            await ws.send_json({"method": "subscribe", "params": params, "req_id": req_id})
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                frame = await ws.receive(timeout=left)
            except TimeoutError:
                break
            if frame.type is aiohttp.WSMsgType.TEXT:
                frames.append(frame.data)
    return frames


class BookTrigger:
    """Enters on every verified book update (the arbitrator only acts while flat), optionally after
    one model inference: a decision made on the frame that just arrived."""

    name = "bench_book_trigger"

    def __init__(self, infer: Infer | None) -> None:
        self._infer = infer

    def subscriptions(self) -> Iterable[tuple[type, Callable[[Any], Intent | None]]]:
        return ((OrderBookUpdated, self.on_book),)

    def on_book(self, event: OrderBookUpdated) -> Intent | None:
        if self._infer is not None:
            self._infer()
        return Intent(event.pair, Action.ENTER, "bench", correlation_id=event.event_id)


class TimingVenue:
    """Stamps each order as it arrives, then accepts and cancels it (the entry ends unfilled)."""

    def __init__(self, publish: Callable[[Event], None]) -> None:
        self.publish = publish
        self.arrived: dict[str, int] = {}  # signal id -> perf_counter_ns at submit

    def submit(self, command: SubmitOrder) -> None:
        self.arrived[command.signal_id or ""] = time.perf_counter_ns()
        common = {
            "ts_event": time.time_ns(),
            "ts_init": time.time_ns(),
            "correlation_id": command.correlation_id,
        }
        self.publish(
            OrderAccepted(
                **common,
                client_order_id=command.client_order_id,
                exchange_order_id=f"O-{command.client_order_id}",
                pair=command.pair,
            )
        )
        self.publish(
            OrderCanceled(
                **common,
                client_order_id=command.client_order_id,
                exchange_order_id=f"O-{command.client_order_id}",
                pair=command.pair,
                reason="bench",
            )
        )

    def cancel(self, command: CancelOrder) -> None:
        return None

    def on_command(self, command: Command) -> None:
        if isinstance(command, SubmitOrder):
            self.submit(command)

    def attach(self, bus: Any) -> None:
        bus.subscribe(Command, self.on_command, name="venue.commands", group="venue")


class _StampingBus:
    """The ingestor's publisher: remembers which frame each book event came from."""

    def __init__(self, bus: AsyncBus) -> None:
        self._bus = bus
        self.frame_ns = 0
        self.book_frame: dict[str, int] = {}

    def publish(self, event: Event) -> None:
        if isinstance(event, OrderBookUpdated):
            self.book_frame[event.event_id] = self.frame_ns
        self._bus.publish(event)


async def measure_latency(frames: list[str], infer: Infer | None, journal_db: Path | None) -> np.ndarray:
    bus, clock = AsyncBus(), LiveClock()
    strategy_settings = StrategySettings(entry_timeout_s=3600)
    risk_settings = RiskSettings(max_consecutive_order_failures=10**6, max_api_errors=10**6)
    portfolio = PortfolioManager(PortfolioSettings(), INSTRUMENTS, clock, bus.publish)
    portfolio.attach(bus)
    halt = HaltCoordinator(risk_settings, clock, bus.publish, portfolio)
    halt.attach(bus)
    RiskManager(risk_settings, INSTRUMENTS, portfolio, halt, clock, bus.publish).attach(bus)
    ExecutionHandler(strategy_settings, INSTRUMENTS, clock, bus.publish, portfolio.order_tags).attach(bus)
    StrategyArbitrator(
        strategy_settings, INSTRUMENTS, clock, bus.publish, portfolio.order_tags, sources=[BookTrigger(infer)]
    ).attach(bus)
    proposals: dict[str, str] = {}
    bus.subscribe(
        SignalProposed, lambda e: proposals.__setitem__(e.signal_id, e.correlation_id), name="bench"
    )
    journal = database = signals = None
    if journal_db is None:
        venue = TimingVenue(bus.publish)
        venue.attach(bus)
    else:
        from galfriday.storage.db.database import open_database
        from galfriday.storage.db.migrate import upgrade
        from galfriday.storage.db.repositories import FillRepository, OrderRepository, SignalRepository
        from galfriday.storage.recorders.orders import OrderJournal
        from galfriday.storage.recorders.signals import SignalRecorder

        url = f"sqlite+aiosqlite:///{journal_db}"
        await upgrade(url)
        database = await open_database(url)
        journal = OrderJournal(
            OrderRepository(database.sessions), FillRepository(database.sessions), bus.publish
        )
        venue = TimingVenue(journal.on_report)
        journal.attach(bus, venue)
        signals = SignalRecorder(
            SignalRepository(database.sessions)
        )  # the orders' signal rows, as wired live
        signals.attach(bus)
        signals.queue.start()
    stamping = _StampingBus(bus)
    ingestor = DataIngestor(stamping, clock, PAIRS, instruments=INSTRUMENTS)
    await bus.start()
    try:
        for text in frames:
            stamping.frame_ns = time.perf_counter_ns()
            ingestor.on_message(decode_message(text))
            await asyncio.sleep(FRAME_GAP_S)
        await asyncio.sleep(0.2)
    finally:
        await bus.stop()
        if journal is not None and database is not None:
            await journal.close()
            await signals.queue.close()
            await database.close()
    latencies = [
        (arrived - stamping.book_frame[proposals[signal]]) / 1000
        for signal, arrived in venue.arrived.items()
        if signal in proposals and proposals[signal] in stamping.book_frame
    ]
    return np.asarray(latencies[WARMUP_ORDERS:])


def model_inference() -> tuple[Infer | None, str]:
    """One inline XGBoost inference on a bars_v1 window, or None with the reason."""
    try:
        from galfriday.features.registry import FeatureRegistry
        from galfriday.prediction.artifacts import ArtifactStore
        from galfriday.prediction.datasets import build_dataset, load_candles
        from galfriday.prediction.inference import make_runner
        from galfriday.prediction.labels import LabelSpec
        from galfriday.prediction.loaded import LoadedModel
        from galfriday.prediction.training import TrainingConfig, train
    except ImportError as exc:
        return None, f"galfriday.prediction not importable ({exc})"
    if not CANDLES.exists():
        return None, f"no candles to train on at {CANDLES}"
    dataset = build_dataset(
        load_candles(CANDLES), FeatureRegistry.load().feature_set("bars_v1"), LabelSpec(), pair="XRP/USDT"
    )
    bundle = train(dataset, TrainingConfig(model_type="xgboost")).bundle
    store = ArtifactStore(Path(tempfile.mkdtemp(prefix="bench-runtime-")))
    sha, relative = store.put(bundle)
    model = LoadedModel("bench-xgb", "XRP/USD", store.load(relative, sha), store.path(relative), sha)
    runner = make_runner("inline", workers=1, preload=[model])
    window = dataset.windows(dataset.usable()[-1:], 1)
    return (lambda: runner.submit(model, window).result()), "XGBoost (bars_v1, inline runner)"


# -- 2. memory ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def measure_memory(speed: float, market_seconds: float) -> tuple[float, float, int]:
    """(RSS MiB after start, RSS MiB after ``market_seconds`` of market data, trades closed)."""
    from galfriday.app.runtime import RunOptions, Session, serve
    from galfriday.strategy.sources import RsiRule

    port = free_port()
    sim = subprocess.Popen(  # noqa: ASYNC220 - started once, before anything runs on the loop
        [
            sys.executable,
            "-m",
            "galfriday.cli",
            "exchange-sim",
            "--port",
            str(port),
            "--speed",
            f"{speed}x",
            "--seed",
            "4",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await _wait_port(port)
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            config = {
                "exchange": {
                    "rest_url": f"http://127.0.0.1:{port}",
                    "ws_public_url": f"ws://127.0.0.1:{port}/v2",
                },
                "market_data": {"stale_after_s": 600},
                "database": {"url": f"sqlite+aiosqlite:///{tmp / 'g.db'}"},
                "timeseries": {"duckdb_path": str(tmp / "ts.duckdb")},
                "logging": {"json_file": str(tmp / "g.jsonl"), "console": False},
                "monitoring": {"metrics_port": free_port()},
                "dashboard": {"port": free_port()},
            }
            (tmp / "g.yaml").write_text(yaml.safe_dump(config))
            session = Session(
                RunOptions(
                    mode="paper",
                    config_file=tmp / "g.yaml",
                    market_speed=speed,
                    duration_s=market_seconds / speed,
                    rule=RsiRule(),
                )
            )
            await session.start()
            process = psutil.Process()
            start_rss = process.memory_info().rss / 2**20
            serving = asyncio.create_task(serve(session))
            peak = start_rss
            while not serving.done():
                peak = max(peak, process.memory_info().rss / 2**20)
                await asyncio.sleep(1)
            end_rss = max(peak, process.memory_info().rss / 2**20)
            trades = session.observers.status.snapshot().trades_closed if session.observers else 0
            return start_rss, end_rss, trades
    finally:
        sim.terminate()
        sim.wait(10)


async def _wait_port(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    raise RuntimeError(f"the exchange simulator did not listen on {port}")


# -- report ---------------------------------------------------------------------------------------


def _line(name: str, values: np.ndarray) -> str:
    p50, p99 = np.percentile(values, [50, 99])
    return f"{name}: p50 {p50:7.1f} µs   p99 {p99:7.1f} µs   ({len(values)} orders)"


async def report_memory(speed: float) -> None:
    start_rss, end_rss, trades = await measure_memory(speed, 3600.0)
    print(
        f"memory: 2-pair paper session in a fresh process, 1 h of market data at {speed:g}x "
        f"({3600 / speed:.0f} s): RSS {start_rss:.0f} MiB after start, {end_rss:.0f} MiB peak by the end, "
        f"{trades} trades closed"
    )


async def main(speed: float, skip_memory: bool) -> None:
    print(
        f"host: {platform.machine()}, {os.cpu_count()} CPUs visible, load average {os.getloadavg()[0]:.1f}, "
        f"Python {platform.python_version()}"
    )
    frames = await capture_frames(20.0)
    print(
        f"frames: {len(frames)} WS v2 frames from the exchange simulator (XRP/USD, DOGE/USD), fed "
        f"{FRAME_GAP_S * 1000:.0f} ms apart; latency = frame text in hand -> venue.submit called"
    )
    infer, model = model_inference()
    with tempfile.TemporaryDirectory() as folder:
        for label, inference in (("no inference", None), (f"with {model}", infer)):
            if label.startswith("with") and inference is None:
                print(f"with inference: not measured ({model})")
                continue
            print(
                _line(
                    f"frame -> order, {label}, venue on the bus",
                    await measure_latency(frames, inference, None),
                )
            )
            journal = Path(folder) / f"journal-{label[:4]}.db"
            print(
                _line(
                    f"frame -> order, {label}, behind the write-ahead journal (SQLite)",
                    await measure_latency(frames, inference, journal),
                )
            )
    if skip_memory:
        return
    # A fresh interpreter: the latency runs above loaded XGBoost and kept the frames.
    command = [sys.executable, "-m", "bench.bench_runtime", "--memory-only", "--speed", str(speed)]
    subprocess.run(command, check=True)  # noqa: ASYNC221 - nothing else runs on this loop meanwhile


if __name__ == "__main__":
    logging.getLogger().addHandler(logging.NullHandler())  # the session logs to its own file
    logging.getLogger().setLevel(logging.CRITICAL)  # the journal's notes would drown the results
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=40.0, help="market-data speed for the memory run")
    parser.add_argument("--skip-memory", action="store_true", help="measure latency only")
    parser.add_argument("--memory-only", action="store_true", help="measure memory only")
    arguments = parser.parse_args()
    if arguments.memory_only:
        asyncio.run(report_memory(arguments.speed))
    else:
        asyncio.run(main(arguments.speed, arguments.skip_memory))

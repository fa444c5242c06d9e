"""Demo step: a short paper session against the exchange simulator, over real sockets.

The simulator (in this process, on a local port) streams the paper bars as trade prints at
``speed`` times real time through its Kraken WebSocket v2 API; the session is ``galfriday run
--mode paper`` itself (``app.runtime.Session``): market data, bars, features, the production
models (or the SMA baseline when no model passed its gates), strategy, risk, the paper venue on the
shared matching engine, persistence, metrics, the control API and dashboard. A live line shows
what it does; Ctrl-C ends it early and cleanly.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.live import Live

from galfriday.app.runtime import RunOptions, Session, serve
from galfriday.core.events import BarClosed, Event, OrderFilled, PredictionMade, SubmitOrder, TradeClosed
from galfriday.sim.server import DataFile, ExchangeSimulator, SimulatorConfig
from galfriday.strategy.sources import SmaCrossRule

_COUNTED = (BarClosed, PredictionMade, SubmitOrder, OrderFilled, TradeClosed)


@dataclass
class PaperTape:
    """What the session did, counted as it happens."""

    counts: Counter[str] = field(default_factory=Counter)
    trades: list[TradeClosed] = field(default_factory=list)

    def on_event(self, event: Event) -> None:
        self.counts[type(event).__name__] += 1
        if isinstance(event, TradeClosed):
            self.trades.append(event)

    def line(self, elapsed: float, total: float, equity: Decimal | None) -> str:
        c = self.counts
        return (
            f"paper session {elapsed:5.1f}/{total:g} s: {c['BarClosed']} bars, "
            f"{c['PredictionMade']} predictions, {c['SubmitOrder']} orders, {c['OrderFilled']} fills, "
            f"{c['TradeClosed']} trades closed" + (f", equity {equity:.2f}" if equity is not None else "")
        )


@dataclass(frozen=True)
class PaperOutcome:
    tape: PaperTape
    exit_code: int
    equity: Decimal | None
    initial_cash: Decimal
    dashboard_url: str | None
    metrics_url: str
    signals: str


async def paper_session(
    config_file: Path,
    tapes: dict[str, Path],
    *,
    port: int,
    speed: float,
    seconds: float,
    use_models: bool,
    console: Console,
) -> PaperOutcome:
    data = tuple(DataFile(pair, path) for pair, path in tapes.items())
    async with ExchangeSimulator(SimulatorConfig(port=port, speed=speed, data=data)):
        rule = None if use_models else SmaCrossRule()
        options = RunOptions(
            mode="paper", config_file=config_file, duration_s=seconds, market_speed=speed, rule=rule
        )
        session = Session(options)
        await session.start()
        assert session.bus is not None and session.portfolio is not None and session.signals is not None
        tape = PaperTape()
        for kind in _COUNTED:
            session.bus.subscribe(kind, tape.on_event, name=f"demo.{kind.__name__}", group="demo.tape")
        settings = session.settings
        metrics_url = f"http://{settings.monitoring.metrics_host}:{settings.monitoring.metrics_port}/metrics"
        if session.api_url:
            console.print(f"  dashboard while it runs: {session.api_url}/  (API key in {config_file.name})")
        portfolio = session.portfolio
        serving = asyncio.create_task(serve(session))
        started = time.monotonic()
        with Live(console=console, refresh_per_second=4, transient=False) as live:
            while not serving.done():
                live.update(tape.line(time.monotonic() - started, seconds, portfolio.equity()))
                await asyncio.wait({serving}, timeout=0.25)
            live.update(tape.line(time.monotonic() - started, seconds, portfolio.equity()))
        console.print()
        return PaperOutcome(
            tape,
            serving.result(),
            portfolio.equity(),
            settings.portfolio.initial_cash,
            session.api_url,
            metrics_url,
            session.signals.description,
        )

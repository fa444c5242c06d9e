"""A control API over real monitoring parts and a real HaltCoordinator, with a fake portfolio.

The kernel runs on a SyncBus and a SimClock, so a test moves time and sees exactly the events the
API's actions caused.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from decimal import Decimal

from fastapi import FastAPI
from pydantic import SecretStr

from galfriday.app.api import ApiDeps, ApiServer, create_api
from galfriday.config.sections.risk import RiskSettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import PortfolioSnapshotTaken, PositionSnapshot
from galfriday.monitoring import (
    HealthRegistry,
    MarketDataFreshness,
    Metrics,
    MetricsRecorder,
    SessionStatus,
    halt_check,
    market_data_check,
)
from galfriday.risk.halt import HaltCoordinator
from tests.unit.portfolio._kit import SECOND, T0, Recorder
from tests.unit.risk._fakes import FakePortfolio

API_KEY = "test-api-key-3f9c2a71e4b8"
PAIRS = ("XRP/USD", "DOGE/USD")
STALE_AFTER_S = 60.0


@dataclass
class FakePortfolioReader:
    positions: tuple[PositionSnapshot, ...] = field(
        default_factory=lambda: (
            PositionSnapshot(
                pair="XRP/USD",
                qty=Decimal("1000"),
                avg_price=Decimal("0.50000"),
                market_price=Decimal("0.51000"),
                unrealized_pnl=Decimal("10.00"),
            ),
        )
    )

    def snapshot(self) -> PortfolioSnapshotTaken:
        return PortfolioSnapshotTaken(
            ts_event=T0,
            ts_init=T0,
            equity=Decimal("10010.00"),
            cash=Decimal("9500.00"),
            available_balance=Decimal("9400.00"),
            exposure_pct=0.051,
            daily_drawdown_pct=0.004,
            weekly_drawdown_pct=0.012,
            total_drawdown_pct=0.02,
            positions=self.positions,
        )


class Session:
    """Everything behind one API instance."""

    def __init__(self) -> None:
        self.clock = SimClock(T0)
        self.bus = SyncBus()
        self.recorder = Recorder(self.bus)
        self.metrics = Metrics()
        MetricsRecorder(self.metrics).attach(self.bus)
        self.status = SessionStatus("paper", "c0ffee" * 10 + "abcd", self.clock)
        self.status.attach(self.bus)
        self.halt = HaltCoordinator(RiskSettings(), self.clock, self.bus.publish, FakePortfolio())
        self.halt.attach(self.bus)
        self.freshness = MarketDataFreshness(self.clock, PAIRS)
        self.freshness.attach(self.bus)
        self.health = HealthRegistry(self.clock, self.bus.publish)
        self.health.register("market_data", market_data_check(self.freshness, STALE_AFTER_S))
        self.health.register("halt", halt_check(self.halt))
        self.deps = ApiDeps(
            status=self.status,
            halt=self.halt,
            portfolio=FakePortfolioReader(),
            metrics=self.metrics.registry,
            health=self.health,
        )

    def app(self, *, api_key: str | None = API_KEY, metrics_public: bool = True) -> FastAPI:
        return create_api(
            self.deps, api_key=SecretStr(api_key) if api_key else None, metrics_public=metrics_public
        )

    def advance(self, seconds: float) -> None:
        self.clock.advance_to(self.clock.timestamp_ns() + int(seconds * SECOND))


AUTH = {"X-API-Key": API_KEY}


class ServerThread:
    """The API on uvicorn (``ApiServer``, port 0) in a thread with its own loop, for blocking clients."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self.url = ""

    async def _main(self) -> None:
        server = ApiServer(self._app, "127.0.0.1", 0)
        await server.start()
        self.url = server.url
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._ready.set()
        await self._stop.wait()
        await server.stop()

    def __enter__(self) -> ServerThread:
        self._thread.start()
        assert self._ready.wait(10), "the API server did not start"
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

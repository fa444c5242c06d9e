"""``ExchangeSimulator``: the simulated Kraken as one aiohttp server, run in-process or by the CLI.

One port serves everything (base URLs for our clients)::

    REST (public + private)   http://HOST:PORT            -> /0/public/<Method>, /0/private/<Method>
    WS v2 public              ws://HOST:PORT/v2           (wss://ws.kraken.com/v2)
    WS v2 private             ws://HOST:PORT/v2-auth      (wss://ws-auth.kraken.com/v2)
    admin (with a token)      http://HOST:PORT/admin/...  (see sim.server.admin)

Background tasks: the market pump (events from the source, paced at ``speed``, into
``Exchange.on_market_event``), a clock tick every 50 ms (engine timers, dead-man switches) and,
with a state file, the flush loop. ``start`` waits (up to 2 s) for the first market event before
it opens the port, so restored orders are back in the engines before any client can ask.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable
from types import TracebackType

from aiohttp import web

from galfriday.sim.errors import SimError
from galfriday.sim.server.admin import AdminApi
from galfriday.sim.server.clock import MarketClock
from galfriday.sim.server.config import SimulatorConfig
from galfriday.sim.server.exchange import Exchange
from galfriday.sim.server.faults import FaultInjector, parse_faults
from galfriday.sim.server.market_source import MarketSource, generated_market, recorded_market
from galfriday.sim.server.persistence import StateFile
from galfriday.sim.server.rest_private import PrivateRest
from galfriday.sim.server.rest_public import PublicRest
from galfriday.sim.server.ws_private import PrivateWsHub
from galfriday.sim.server.ws_public import PublicWsHub

logger = logging.getLogger(__name__)

_TICK_S = 0.05
_SLICE_S = 0.002
_MAX_BACKLOG = 2_000
_FIRST_EVENT_WAIT_S = 2.0


class ExchangeSimulator:
    """``async with ExchangeSimulator(config) as sim:`` then point clients at ``sim.rest_url`` etc.

    ``limits_now`` is the monotonic clock (s) of the rate-limit counters: tests pass a fake one to
    watch the counters decay without waiting.
    """

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        *,
        limits_now: Callable[[], float] = time.monotonic,
        wall_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        self.config = config or SimulatorConfig()
        self._limits_now = limits_now
        self._wall_ns = wall_ns
        self._state = StateFile(self.config.state_path) if self.config.state_path else None
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._first_event = asyncio.Event()
        self._flushed_revision = -1
        self.port = 0
        self.exchange: Exchange
        self.public_ws: PublicWsHub
        self.private_ws: PrivateWsHub

    # -- URLs -------------------------------------------------------------------------------------

    @property
    def rest_url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    @property
    def ws_public_url(self) -> str:
        return f"ws://{self.config.host}:{self.port}/v2"

    @property
    def ws_private_url(self) -> str:
        return f"ws://{self.config.host}:{self.port}/v2-auth"

    @property
    def admin_url(self) -> str:
        return f"http://{self.config.host}:{self.port}/admin"

    # -- lifecycle ----------------------------------------------------------------------------------

    async def start(self) -> None:
        config = self.config
        state = self._state.load() if self._state is not None else None
        clock = MarketClock(config.speed, wall_ns=self._wall_ns)
        source = self._source()
        faults = FaultInjector(config.seed)
        faults.add(parse_faults(config.faults_json))
        self.exchange = Exchange(
            config, clock=clock, faults=faults, kinds=source.kinds, state=state, limits_now=self._limits_now
        )
        self.public_ws = PublicWsHub(self.exchange, config)
        self.private_ws = PrivateWsHub(self.exchange, config)
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._pump(source), name="exchange-sim-market"),
            loop.create_task(self._ticker(), name="exchange-sim-tick"),
        ]
        if self._state is not None:
            self._tasks.append(loop.create_task(self._flusher(), name="exchange-sim-state"))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._first_event.wait(), _FIRST_EVENT_WAIT_S)
        self.exchange.restore_pending()
        self._runner = web.AppRunner(self._app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, config.host, config.port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # site.start() bound it
        self.port = server.sockets[0].getsockname()[1]
        logger.info(
            "exchange simulator on %s (WS %s, %s)", self.rest_url, self.ws_public_url, self.ws_private_url
        )

    async def stop(self) -> None:
        """Stop serving and write the state file; safe to call on a simulator that never started."""
        if not self._tasks and self._runner is None:
            return
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        for hub in (self.public_ws, self.private_ws):
            for conn in list(hub.connections):
                await conn.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.flush()

    def flush(self) -> None:
        """Write the state file now (if there is one and anything changed)."""
        if self._state is None:
            return
        revision = self.exchange.revision
        if revision != self._flushed_revision:
            self._state.save(self.exchange.snapshot())
            self._flushed_revision = revision

    async def __aenter__(self) -> ExchangeSimulator:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # -- wiring -------------------------------------------------------------------------------------

    def _source(self) -> MarketSource:
        config = self.config
        if config.data:
            return recorded_market(config.data, {i.symbol: i for i in config.instruments})
        return generated_market(config.instruments, seed=config.seed, start_ns=self._wall_ns())

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=1 << 20)
        public, private = PublicRest(self.exchange), PrivateRest(self.exchange)
        app.add_routes(
            [
                web.route("*", "/0/public/{method}", public.handle),
                web.post("/0/private/{method}", private.handle),
                web.get("/v2", self.public_ws.handle),
                web.get("/v2-auth", self.private_ws.handle),
            ]
        )
        if self.config.admin_token:
            app.add_routes(AdminApi(self.exchange, self.config.admin_token).routes())
        return app

    # -- background tasks -----------------------------------------------------------------------------

    async def _pump(self, source: MarketSource) -> None:
        """Feed market events; hand the loop to the clients every ``_SLICE_S`` of work
        (``Replay.paced`` alone yields only every 1000 events at max speed, which starves the
        sockets). At max speed the market also waits for WS clients that fall ``_MAX_BACKLOG``
        frames behind: "as fast as possible" means as fast as they can take it."""
        as_fast_as_possible = math.isinf(self.config.speed)
        slice_end = time.perf_counter() + _SLICE_S
        try:
            async for event in source.events.paced(self.config.speed):
                self.exchange.on_market_event(event)
                self._first_event.set()
                if time.perf_counter() > slice_end:
                    await asyncio.sleep(0)
                    if as_fast_as_possible:
                        await self._wait_for_clients()
                    slice_end = time.perf_counter() + _SLICE_S
        except SimError:
            logger.exception("exchange simulator: the market data source failed; the market stops")
        except Exception:  # a bug must not silently freeze the market
            logger.exception("exchange simulator: market pump crashed; the market stops")
            raise
        logger.info("exchange simulator: market data ended after %d events", self.exchange.events)

    async def _wait_for_clients(self) -> None:
        """Until no WS client is more than ``_MAX_BACKLOG`` frames behind (polled every ms)."""
        hubs = (self.public_ws, self.private_ws)
        while True:
            if max((c.backlog for hub in hubs for c in hub.connections), default=0) <= _MAX_BACKLOG:
                return
            await asyncio.sleep(0.001)

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(_TICK_S)
            try:
                self.exchange.tick()
            except Exception:
                logger.exception("exchange simulator: clock tick failed")

    async def _flusher(self) -> None:
        while True:
            await asyncio.sleep(self.config.state_flush_s)
            try:
                self.flush()
            except OSError:
                logger.exception("exchange simulator: cannot write the state file %s", self.config.state_path)

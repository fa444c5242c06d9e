"""``Session``: one run of the trading system on ONE ``AsyncBus`` and one clock, started in a safe order.

Start (``start``), each step only once the ones it depends on stand:

1. bootstrap: configuration, secrets and logging, database migrated and open, configuration recorded;
2. instruments from AssetPairs (built-in defaults with a warning);
3. persistence: the time-series writer, the write-ahead order journal, the signal / trade /
   snapshot recorders and the HALT journal — and the passive observers (status, metrics, trade
   log, latest state), so every event from here on is recorded and seen;
4. portfolio (paper: restored from the latest snapshot; live: the account's Kraken balances),
   subscribed before the HALT coordinator;
5. HALT coordinator, restored: an unresolved HALT from the journal comes back HALTED;
6. risk manager (behind the entry gate), 7. execution handler, 8. venue behind the journal
   (live: its private stream ready, reconciled — refusing to start on a mismatch — and the
   dead-man switch armed);
9. features, predictions or the rule strategy, the strategy arbitrator; then what an earlier
   process left — positions and the orders still working — is taken over (``takeover``);
10. market data: WS client, ingestor, bars;
11. monitoring, metrics, health, alerts, log sinks; 12. the control API;
13. RUNNING (``SystemStateChanged``) — or HALTED, as restored.

A failure at any step stops what already started (``shutdown``) and is raised with what to do.
Stop (``stop``) is ``runtime.shutdown``. An error in a critical bus handler HALTs through the bus's
failure listener (the coordinator's module-failure trigger); the session keeps running.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from galfriday.app.api import ApiServer
from galfriday.app.bootstrap import Started, start
from galfriday.app.runtime.clock import SessionClock, session_clock
from galfriday.app.runtime.control_api import start_control_api
from galfriday.app.runtime.errors import StartRefused
from galfriday.app.runtime.gate import EntryGate
from galfriday.app.runtime.instruments import load_instruments
from galfriday.app.runtime.live import private_client
from galfriday.app.runtime.live_ledger import live_portfolio
from galfriday.app.runtime.market_data import MarketData
from galfriday.app.runtime.monitoring import Monitoring
from galfriday.app.runtime.observers import Observers
from galfriday.app.runtime.options import RunOptions
from galfriday.app.runtime.persistence import Persistence
from galfriday.app.runtime.redis_state import LatestState, open_latest_state
from galfriday.app.runtime.restore import PAPER_EXCHANGE_TAG, close_orphaned_paper_orders, restore_portfolio
from galfriday.app.runtime.shutdown import shut_down
from galfriday.app.runtime.signal_sources import Signals, choose_signals
from galfriday.app.runtime.takeover import take_over
from galfriday.app.runtime.venues import OpenVenue, open_venue
from galfriday.config.schema import Settings
from galfriday.core.bus import AsyncBus
from galfriday.core.events import SystemStateChanged
from galfriday.core.instruments import Instrument
from galfriday.core.types import SystemState
from galfriday.execution import ExecutionHandler
from galfriday.features.engine import FeatureEngine
from galfriday.features.registry import load_feature_set
from galfriday.kraken.rest_private import KrakenPrivateClient
from galfriday.portfolio.manager import PortfolioManager
from galfriday.risk.halt import HaltCoordinator
from galfriday.risk.manager import RiskManager
from galfriday.strategy.arbitrator import StrategyArbitrator

logger = logging.getLogger(__name__)

MODULE_FAILURE = "module_failure"


class Session:
    """Build with ``RunOptions``; ``await start()``, then ``await wait()`` and ``await stop()``."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.started: Started | None = None
        self.clock: SessionClock | None = None
        self.bus: AsyncBus | None = None
        self.instruments: dict[str, Instrument] = {}
        self.persistence: Persistence | None = None
        self.latest_state: LatestState | None = None
        self.observers: Observers | None = None
        self.portfolio: PortfolioManager | None = None
        self.halt: HaltCoordinator | None = None
        self.gate: EntryGate | None = None
        self.risk: RiskManager | None = None
        self.execution: ExecutionHandler | None = None
        self.exchange_client: KrakenPrivateClient | None = None
        self.venue: OpenVenue | None = None
        self.features: FeatureEngine | None = None
        self.signals: Signals | None = None
        self.strategy: StrategyArbitrator | None = None
        self.market_data: MarketData | None = None
        self.monitoring: Monitoring | None = None
        self.api: ApiServer | None = None
        self.running = False
        self._stop = asyncio.Event()
        self._stop_reason = ""
        self._stopped = False

    @property
    def settings(self) -> Settings:
        assert self.started is not None, "the session has not been bootstrapped"
        return self.started.settings

    @property
    def api_url(self) -> str | None:
        return None if self.api is None else self.api.url

    # -- start --------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start in the safe order; on failure, stop what started and raise."""
        self.started = await start(self.options.config_file, console_logs=self.options.console_logs)
        try:
            await self._start_after_bootstrap()
        except BaseException as exc:
            logger.critical("start-up failed: %s", exc)
            await self.stop(f"start-up failed: {exc}")
            raise

    async def _start_after_bootstrap(self) -> None:
        settings, options = self.settings, self.options
        self._check_mode(settings)
        clock = self.clock = session_clock(options.market_speed)
        bus = self.bus = AsyncBus(
            critical_failure_threshold=settings.monitoring.critical_handler_failures_halt
        )
        await bus.start()
        self.instruments = instruments = await load_instruments(settings)
        await self._start_persistence(settings, bus)
        self._publish_state(SystemState.STOPPED, SystemState.STARTING, f"{options.mode} session starting")
        portfolio = self.portfolio = await self._portfolio(settings, instruments, clock, bus)
        halt = self.halt = await self._halt(settings, clock, bus, portfolio)
        self.gate = EntryGate(halt, clock)
        self.risk = RiskManager(settings.risk, instruments, portfolio, self.gate, clock, bus.publish)
        self.risk.attach(bus)
        self.execution = ExecutionHandler(
            settings.strategy, instruments, clock, bus.publish, portfolio.order_tags
        )
        self.execution.attach(bus)
        assert self.persistence is not None
        self.venue = await open_venue(
            options.mode,
            settings,
            instruments,
            clock,
            bus,
            self.persistence.orders,
            portfolio,
            halt,
            self.database,
            self.exchange_client,
        )
        await self._start_signals(settings, instruments, clock, bus, portfolio)
        await self._take_over(settings, instruments, clock, portfolio, halt)
        self.market_data = MarketData(settings, settings.pairs, instruments, clock, bus)
        self.market_data.attach(bus)
        self.market_data.start(on_dead=self._module_failed)
        assert self.observers is not None
        self.monitoring = Monitoring(
            settings,
            clock,
            bus,
            self.observers,
            self.market_data,
            halt,
            self.database,
            self.persistence.writer,
            breakers=self.venue.breakers,
        )
        await self.monitoring.start()
        self.api = await start_control_api(
            settings, self.observers.status, halt, portfolio, self.observers.metrics, self.monitoring.health
        )
        self._go_live(halt)

    def _check_mode(self, settings: Settings) -> None:
        if self.options.mode == "live" and settings.execution.mode != "live":
            raise StartRefused(
                f"--mode live, but execution.mode is {settings.execution.mode!r} in the configuration: "
                "set execution.mode: live (which also requires the API keys) to trade real money"
            )
        if self.options.mode == "live" and self.options.market_speed != 1:
            raise StartRefused("--market-speed is for paper sessions on accelerated data; live runs at 1x")

    async def _start_persistence(self, settings: Settings, bus: AsyncBus) -> None:
        record_as = PAPER_EXCHANGE_TAG if self.options.mode == "paper" else settings.exchange.name
        self.persistence = Persistence(settings, self.database, bus.publish, record_as=record_as)
        self.persistence.start()
        self.latest_state = await open_latest_state(settings.redis.url, settings.redis.key_prefix)
        assert self.started is not None and self.clock is not None
        self.observers = Observers(
            settings,
            self.options.mode,
            self.started.config_hash,
            self.clock,
            settings.pairs,
            self.latest_state,
        )
        self.observers.attach(bus)
        self.persistence.attach(bus)

    async def _portfolio(
        self, settings: Settings, instruments: dict[str, Instrument], clock: SessionClock, bus: AsyncBus
    ) -> PortfolioManager:
        if self.options.mode == "paper":
            await close_orphaned_paper_orders(self.database)
            portfolio = await restore_portfolio(settings, self.database, instruments, clock, bus.publish)
        else:
            client = self.exchange_client = private_client(settings)
            portfolio = await live_portfolio(client, settings, instruments, self.database, clock, bus.publish)
        portfolio.attach(bus)  # before the HALT coordinator: it reads what this event moved
        portfolio.start()
        return portfolio

    async def _halt(
        self, settings: Settings, clock: SessionClock, bus: AsyncBus, portfolio: PortfolioManager
    ) -> HaltCoordinator:
        assert self.persistence is not None and self.observers is not None
        journal = self.persistence.halts
        halt = HaltCoordinator(settings.risk, clock, bus.publish, portfolio, journal=journal)
        halt.attach(bus)
        self.observers.watch(portfolio, halt)
        record = await journal.load_unresolved()
        if record is not None:
            halt.restore(record)
        return halt

    async def _start_signals(
        self,
        settings: Settings,
        instruments: dict[str, Instrument],
        clock: SessionClock,
        bus: AsyncBus,
        portfolio: PortfolioManager,
    ) -> None:
        assert self.persistence is not None
        feature_set = load_feature_set(settings.features)
        submit = self.persistence.writer.submit
        self.features = FeatureEngine(
            bus,
            clock,
            feature_set,
            interval_s=settings.market_data.bar_interval_s,
            pairs=settings.pairs,
            submit=submit,
        )
        self.features.start()
        self.signals = await choose_signals(
            settings, self.options.rule, self.database, bus, clock, feature_set, submit
        )
        self.strategy = StrategyArbitrator(
            settings.strategy,
            instruments,
            clock,
            bus.publish,
            portfolio.order_tags,
            sources=self.signals.sources,
        )
        self.strategy.attach(bus)

    async def _take_over(
        self,
        settings: Settings,
        instruments: dict[str, Instrument],
        clock: SessionClock,
        portfolio: PortfolioManager,
        halt: HaltCoordinator,
    ) -> None:
        assert self.execution is not None and self.strategy is not None
        record_as = PAPER_EXCHANGE_TAG if self.options.mode == "paper" else settings.exchange.name
        await take_over(
            self.database,
            record_as,
            settings.strategy,
            instruments,
            clock,
            portfolio,
            self.execution,
            self.strategy,
            halt,
        )

    def _go_live(self, halt: HaltCoordinator) -> None:
        self.running = True
        assert self.venue is not None and self.signals is not None
        if halt.is_halted:
            record = halt.current
            assert record is not None
            logger.critical(
                "session started HALTED (%s: %s): no entries until the recovery checklist is completed "
                "and trading resumed through the control API",
                record.trigger,
                record.reason,
            )
        else:
            self._publish_state(SystemState.STARTING, SystemState.RUNNING, "started")
        logger.info(
            "session RUNNING: %s; %s; control API %s",
            self.venue.description,
            self.signals.description,
            self.api_url or "off",
        )

    # -- running ------------------------------------------------------------------------------------

    @property
    def database(self) -> Any:
        assert self.started is not None
        return self.started.database

    def _publish_state(self, previous: SystemState, current: SystemState, reason: str) -> None:
        assert self.bus is not None and self.clock is not None
        now = self.clock.timestamp_ns()
        logger.info("system %s -> %s: %s", previous, current, reason)
        self.bus.publish(
            SystemStateChanged(ts_event=now, ts_init=now, previous=previous, current=current, reason=reason)
        )

    def _module_failed(self, reason: str) -> None:
        """A critical part died outside the bus (the market-data task): HALT, keep running."""
        logger.critical("critical module failure: %s", reason)
        if self.halt is not None:
            self.halt.fire(MODULE_FAILURE, reason)

    def request_stop(self, reason: str) -> None:
        """Ask ``wait`` to return (a signal, the control side, a test); the stop itself is ``stop``."""
        if not self._stop.is_set():
            self._stop_reason = reason
            self._stop.set()

    async def wait(self) -> str:
        """Until a stop is requested or ``duration_s`` has elapsed; returns why."""
        duration = self.options.duration_s
        try:
            await asyncio.wait_for(self._stop.wait(), duration)
        except TimeoutError:
            self.request_stop(f"--for {duration:g}s elapsed")
        return self._stop_reason

    async def stop(self, reason: str) -> list[str]:
        """Graceful shutdown (``runtime.shutdown``); returns what could not be done cleanly."""
        if self._stopped:
            return []
        self._stopped = True
        return await shut_down(self, reason)

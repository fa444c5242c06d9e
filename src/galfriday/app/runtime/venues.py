"""The one place a session's venue is chosen: paper → ``SimulatedVenue``, live → ``KrakenVenue``.

Both sit behind the write-ahead ``OrderJournal``: the journal takes ``SubmitOrder``/``CancelOrder``
off the bus, records them, then calls the venue; the venue's reports go through the journal
(recorded first) to the bus. The kernel never knows which venue it trades on (DESIGN §1).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from galfriday.app.runtime.errors import StartRefused
from galfriday.app.runtime.live import open_kraken_venue
from galfriday.app.runtime.options import Mode
from galfriday.app.runtime.restore import paper_account
from galfriday.config.schema import Settings
from galfriday.core.clock import Clock
from galfriday.core.instruments import Instrument
from galfriday.core.venue import Venue
from galfriday.kraken.circuit_breaker import CircuitBreaker
from galfriday.kraken.rest_private import KrakenPrivateClient
from galfriday.portfolio.manager import PortfolioManager
from galfriday.risk.halt import HaltCoordinator
from galfriday.sim.venue import SimulatedVenue, fill_model_config
from galfriday.storage.db.database import Database
from galfriday.storage.recorders.orders import OrderJournal

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OpenVenue:
    """The venue, how to end it (``close(keep_orders)``: a live venue may leave orders resting) and
    the circuit breakers of the API behind it (for health and metrics)."""

    venue: Venue
    description: str
    close: Callable[[bool], Awaitable[None]]
    breakers: tuple[CircuitBreaker, ...] = ()


async def open_venue(
    mode: Mode,
    settings: Settings,
    instruments: dict[str, Instrument],
    clock: Clock,
    bus: Any,
    journal: OrderJournal,
    portfolio: PortfolioManager,
    halt: HaltCoordinator,
    database: Database,
    client: KrakenPrivateClient | None,
) -> OpenVenue:
    """Build, attach and start the venue for ``mode`` (live: on ``client``, reconciled)."""
    if mode == "paper":
        return _paper(settings, instruments, clock, bus, journal, portfolio)
    if client is None:
        raise StartRefused("live mode needs the Kraken private client opened before the portfolio")
    return await _live(settings, instruments, clock, bus, journal, portfolio, halt, database, client)


def _paper(
    settings: Settings,
    instruments: dict[str, Instrument],
    clock: Clock,
    bus: Any,
    journal: OrderJournal,
    portfolio: PortfolioManager,
) -> OpenVenue:
    # A fresh seed per session: the fill ids it derives must never repeat an earlier session's,
    # since fills are recorded once per (exchange, fill id).
    seed = secrets.randbits(63)
    account = paper_account(portfolio, instruments)
    venue = SimulatedVenue(
        instruments, account, clock, journal.on_report, config=fill_model_config(settings.backtest), seed=seed
    )
    venue.attach_market_data(bus, data="ticks")
    journal.attach(bus, venue)
    description = f"paper: simulated fills (latency {settings.backtest.latency_ms} ms, seed {seed})"
    logger.info("venue %s on balances %s", description, account.balances())

    async def close(keep_orders: bool) -> None:
        return None

    return OpenVenue(venue, description, close)


async def _live(
    settings: Settings,
    instruments: dict[str, Instrument],
    clock: Clock,
    bus: Any,
    journal: OrderJournal,
    portfolio: PortfolioManager,
    halt: HaltCoordinator,
    database: Database,
    client: KrakenPrivateClient,
) -> OpenVenue:
    live = await open_kraken_venue(
        settings, client, instruments, clock, bus, journal, portfolio, halt, database
    )
    description = f"live: Kraken at {settings.exchange.rest_url} (tier {settings.exchange.api_tier})"
    logger.warning("venue %s: REAL ORDERS", description)
    return OpenVenue(live.venue, description, live.close, (client.breaker,))

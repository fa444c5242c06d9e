"""Live trading's connection to the account: the private client, the ledger it starts from, and the
venue with everything that keeps it honest (reconciliation, the dead-man switch).

- ``private_client``: ``KrakenPrivateClient`` on ``exchange.rest_url`` with the configured key, a
  nonce persisted in ``exchange.nonce_file`` (strictly increasing across restarts) and the
  account tier's rate counters.
- the ledger a live session starts from is the account's ``Balance`` (``live_ledger``; snapshots
  a paper run wrote are never used): reconciliation compares exactly that.
- ``open_kraken_venue``: ``KrakenVenue`` behind the write-ahead journal, its private stream ready;
  then reconciliation at start (``portfolio.reconcile_at_start``) — an unresolved mismatch refuses
  the start — and every ``portfolio.reconcile_interval_s`` after; then the dead-man switch
  (``execution.dead_man_switch_s``). Orders reconciliation finds still working are handed to the
  venue (``track``) and to the journal (``adopt``) so their reports are followed and recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from galfriday.app.runtime.errors import StartRefused
from galfriday.config.schema import Settings
from galfriday.core.clock import Clock
from galfriday.core.instruments import Instrument
from galfriday.execution.reconcile_report import ReconcileOptions, ReconciliationMismatchError
from galfriday.execution.reconciliation import Reconciler
from galfriday.kraken.dead_man import DeadManSwitch
from galfriday.kraken.nonce import FileNonceSource
from galfriday.kraken.rest_private import KrakenPrivateClient
from galfriday.kraken.rest_public import KrakenError
from galfriday.kraken.venue import KrakenVenue, VenueNotReadyError
from galfriday.kraken.venue_orders import TrackedOrder
from galfriday.portfolio.manager import PortfolioManager
from galfriday.risk.halt import HaltCoordinator
from galfriday.storage.db.database import Database
from galfriday.storage.db.repositories import FillRepository, OrderRepository, ReconciliationRepository
from galfriday.storage.recorders.orders import OrderJournal

logger = logging.getLogger(__name__)


def private_client(settings: Settings) -> KrakenPrivateClient:
    exchange = settings.exchange
    if exchange.api_key is None or exchange.api_secret is None:  # the configuration checks it too
        raise StartRefused("live mode needs exchange.api_key and exchange.api_secret")
    return KrakenPrivateClient(
        exchange.rest_url,
        exchange.api_key,
        exchange.api_secret,
        FileNonceSource(exchange.nonce_file),
        tier=exchange.api_tier,
        timeout_s=exchange.request_timeout_s,
    )


class _Adopter:
    """Reconciliation's order tracker: the venue follows a found order, the journal records it again."""

    def __init__(self, venue: KrakenVenue, journal: OrderJournal) -> None:
        self._venue = venue
        self._journal = journal

    def track(self, order: TrackedOrder) -> None:
        if order.is_open:  # first: the reports ``track`` may hand over are recorded after it
            self._journal.adopt(
                order.client_order_id,
                cum_qty=order.cum_qty,
                fill_ids=order.fill_ids,
                correlation_id=order.correlation_id,
            )
        self._venue.track(order)


@dataclass(frozen=True, slots=True)
class LiveVenue:
    venue: KrakenVenue
    close: Callable[[bool], Awaitable[None]]


async def open_kraken_venue(
    settings: Settings,
    client: KrakenPrivateClient,
    instruments: dict[str, Instrument],
    clock: Clock,
    bus: Any,
    journal: OrderJournal,
    portfolio: PortfolioManager,
    halt: HaltCoordinator,
    database: Database,
) -> LiveVenue:
    venue = KrakenVenue(
        client,
        instruments,
        journal.on_report,
        halt,
        ws_url=settings.exchange.ws_private_url,
        clock=clock,
        stream_down_halt_s=settings.execution.private_stream_halt_s,
    )
    journal.attach(bus, venue)
    sessions = database.sessions
    reconciler = Reconciler(
        client,
        OrderRepository(sessions),
        FillRepository(sessions),
        ReconciliationRepository(sessions),
        portfolio,
        instruments,
        bus.publish,
        clock=clock,
        halt=halt,
        tracker=_Adopter(venue, journal),
        options=ReconcileOptions.from_settings(
            settings.portfolio,
            exchange=settings.exchange.name,
            start_settle_s=client.order_deadline_s + client.clock_skew_s,
        ),
    )
    dead_man = DeadManSwitch.from_settings(client, halt, settings.execution)

    async def close(keep_orders: bool) -> None:
        await reconciler.stop()
        try:
            await dead_man.stop(keep_orders=keep_orders)
        except KrakenError as exc:
            logger.error("dead-man switch not disarmed (%s): Kraken may cancel the kept orders", exc)
        await venue.close()
        await client.close()

    try:
        await venue.start()
        if settings.portfolio.reconcile_at_start:
            report = await reconciler.reconcile_at_start()
            logger.info("reconciliation at start: %s", report.summary())
        else:
            logger.warning(
                "portfolio.reconcile_at_start is false: trading starts without comparing with Kraken"
            )
        reconciler.start_periodic()
        await dead_man.start()
    except (VenueNotReadyError, ReconciliationMismatchError, KrakenError) as exc:
        await close(True)
        raise StartRefused(f"live venue not started: {exc}") from exc
    return LiveVenue(venue, close)

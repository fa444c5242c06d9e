"""A live-mode trading desk against the exchange simulator: the real components, real sockets.

``LiveDesk`` wires what the live runtime wires, on one AsyncBus: the write-ahead ``OrderJournal``
on SQLite in front of the ``KrakenVenue`` (REST orders, private WS executions), the real
``HaltCoordinator`` and ``PortfolioManager`` (its ledger seeded with the account's balances), and
a ``Reconciler`` that hands live orders to the venue. Tests publish ``SubmitOrder`` /
``CancelOrder`` the way the ExecutionHandler does and read the events every component saw.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from galfriday.config.sections.risk import PortfolioSettings, RiskSettings
from galfriday.core.bus import AsyncBus
from galfriday.core.clock import LiveClock
from galfriday.core.events import CancelOrder, Event, SubmitOrder, new_id
from galfriday.core.instruments import Instrument, default_instruments
from galfriday.core.types import OrderType, Side, TimeInForce
from galfriday.execution.reconcile_report import ReconcileOptions
from galfriday.execution.reconciliation import Reconciler
from galfriday.kraken.rest_private import KrakenPrivateClient
from galfriday.kraken.venue import KrakenVenue
from galfriday.kraken.ws_public import ReconnectPolicy
from galfriday.portfolio.ledger import Ledger
from galfriday.portfolio.manager import PortfolioManager
from galfriday.risk.halt import HaltCoordinator
from galfriday.sim.server import AccountSpec, ExchangeSimulator
from galfriday.storage.db.database import Database
from galfriday.storage.db.repositories import FillRepository, OrderRepository, ReconciliationRepository
from galfriday.storage.recorders.orders import OrderJournal
from tests.integration.sim.conftest import FAST_RETRY, OFFICIAL_SECRET, MemoryNonces
from tests.integration.sim.waiting import eventually
from tests.unit.portfolio._kit import Recorder

E = TypeVar("E", bound=Event)

INSTRUMENTS: dict[str, Instrument] = default_instruments()
ACCOUNT = AccountSpec(
    name="live",
    api_key="live-key",
    secret=OFFICIAL_SECRET,
    tier="pro",
    balances={"USD": Decimal(100_000), "XRP": Decimal(0), "DOGE": Decimal(0)},
)


def kraken_client(sim: ExchangeSimulator, **overrides: Any) -> KrakenPrivateClient:
    """Our private client on the simulator, with short deadlines so lost replies settle fast."""
    options: dict[str, Any] = {
        "tier": ACCOUNT.tier,
        "retry": FAST_RETRY,
        "order_deadline_s": 0.5,
        "clock_skew_s": 0.2,
        **overrides,
    }
    return KrakenPrivateClient(sim.rest_url, ACCOUNT.api_key, ACCOUNT.secret, MemoryNonces(), **options)


def account_ledger(balances: Mapping[str, Decimal] | None = None) -> Ledger:
    """The account's balances, every currency as cash (the runtime's own start is ``live_ledger``)."""
    return Ledger("USD", dict(balances if balances is not None else ACCOUNT.balances))


class LiveDesk:
    def __init__(
        self,
        sim: ExchangeSimulator,
        database: Database,
        *,
        ledger: Ledger | None = None,
        reconnect: ReconnectPolicy | None = None,
        options: ReconcileOptions | None = None,
        stream_down_halt_s: float = 0.0,
    ) -> None:
        self.sim = sim
        self.client = kraken_client(sim)
        self.clock = LiveClock()
        self.bus = AsyncBus()
        self.recorder = Recorder(self.bus)  # type: ignore[arg-type]  # subscribes like on a SyncBus
        self.orders = OrderRepository(database.sessions)
        self.fills = FillRepository(database.sessions)
        self.runs = ReconciliationRepository(database.sessions)
        self.portfolio = PortfolioManager(
            PortfolioSettings(), INSTRUMENTS, self.clock, self.bus.publish, ledger=ledger or account_ledger()
        )
        self.portfolio.attach(self.bus)
        self.halt = HaltCoordinator(RiskSettings(), self.clock, self.bus.publish, self.portfolio)
        self.halt.attach(self.bus)
        self.journal = OrderJournal(self.orders, self.fills, self.bus.publish)
        self.venue = KrakenVenue(
            self.client,
            INSTRUMENTS,
            self.journal.on_report,
            self.halt,
            ws_url=sim.ws_private_url,
            clock=self.clock,
            retry_delay_s=0.05,
            stream_options={"reconnect": reconnect or ReconnectPolicy(initial_s=0.05, max_s=0.2)},
            stream_down_halt_s=stream_down_halt_s,
        )
        self.journal.attach(self.bus, self.venue)
        self.reconciler = Reconciler(
            self.client,
            self.orders,
            self.fills,
            self.runs,
            self.portfolio,
            INSTRUMENTS,
            self.bus.publish,
            clock=self.clock,
            halt=self.halt,
            tracker=self.venue,
            options=options or ReconcileOptions(balance_settle_s=0.2, pending_grace_s=1.0),
        )

    async def start(self) -> LiveDesk:
        await self.bus.start()
        await self.venue.start(ready_timeout_s=5)
        return self

    async def close(self) -> None:
        await self.venue.close()
        await self.journal.close()
        await self.bus.stop()
        await self.client.close()

    # -- commands ---------------------------------------------------------------------------------

    def submit(
        self,
        side: Side,
        qty: Decimal,
        *,
        pair: str = "XRP/USD",
        order_type: OrderType = OrderType.LIMIT,
        price: Decimal | None = None,
        tif: TimeInForce = TimeInForce.GTC,
    ) -> SubmitOrder:
        now = self.clock.timestamp_ns()
        command = SubmitOrder(
            ts_event=now,
            ts_init=now,
            correlation_id=f"signal-{new_id()[-6:]}",
            client_order_id=new_id(),
            pair=pair,
            side=side,
            order_type=order_type,
            qty=qty,
            limit_price=price,
            time_in_force=tif,
        )
        self.bus.publish(command)
        return command

    def cancel(self, command: SubmitOrder, reason: str = "test") -> None:
        now = self.clock.timestamp_ns()
        self.bus.publish(
            CancelOrder(
                ts_event=now,
                ts_init=now,
                correlation_id=command.correlation_id,
                client_order_id=command.client_order_id,
                pair=command.pair,
                reason=reason,
            )
        )

    # -- reading ----------------------------------------------------------------------------------

    def of(self, kind: type[E], client_order_id: str | None = None) -> list[E]:
        return [
            e
            for e in self.recorder.of(kind)
            if client_order_id is None or getattr(e, "client_order_id", None) == client_order_id
        ]

    async def until(self, predicate: Callable[[], bool], within_s: float = 10.0) -> None:
        await eventually(predicate, within_s=within_s)

    async def settled(self) -> None:
        """Until every queued command, report and event has been handled."""
        await asyncio.sleep(0.05)
        await self.journal.queue.flush()
        await asyncio.sleep(0.05)

    def best(self, pair: str = "XRP/USD") -> tuple[Decimal, Decimal]:
        """(best bid, best ask) of the simulated market now."""
        book = self.sim.exchange.market.pairs[pair].book
        return book.bids[0].price, book.asks[0].price

    def top_ask_qty(self, pair: str = "XRP/USD") -> Decimal:
        return self.sim.exchange.market.pairs[pair].book.asks[0].qty

    @property
    def account(self) -> Any:
        return self.sim.exchange.accounts[ACCOUNT.api_key]

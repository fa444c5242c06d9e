"""``Exchange``: the simulated Kraken's state and rules, shared by every transport.

REST handlers, the WS hubs, the admin API, the market pump and the persistence loop all call
into this one object (all on one event loop, so no locks): the accounts (``SimAccount``), the
public market (``PublicMarket``), nonces (``kraken.nonce.NonceGuard``), WS tokens, faults and the
two clocks. Market events go to the public market first, then to every account's engine for the
pair — so what a WS client saw is what the engines matched on.

After a restart, open orders from the state file are re-submitted when the first market event
arrives: only then is market time known, which GTD expiries and the no-look-ahead rule need.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from decimal import Decimal

from galfriday.core.events import Event
from galfriday.core.types import Side
from galfriday.kraken.nonce import NonceGuard
from galfriday.sim.matching import FillModelConfig
from galfriday.sim.server.accounts import demo_account
from galfriday.sim.server.assets import PairDirectory
from galfriday.sim.server.clock import NS_PER_S, MarketClock
from galfriday.sim.server.config import SimulatorConfig
from galfriday.sim.server.errors import ExchangeError
from galfriday.sim.server.faults import FaultInjector
from galfriday.sim.server.market_source import FeedKind
from galfriday.sim.server.order_params import OrderIntent
from galfriday.sim.server.orders import OrderRecord
from galfriday.sim.server.persistence import AccountState, SimState
from galfriday.sim.server.public_market import PublicMarket
from galfriday.sim.server.sim_account import SimAccount
from galfriday.sim.server.tokens import TokenRegistry

logger = logging.getLogger(__name__)


class Exchange:
    def __init__(
        self,
        config: SimulatorConfig,
        *,
        clock: MarketClock,
        faults: FaultInjector,
        kinds: dict[str, FeedKind],
        state: SimState | None = None,
        limits_now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.clock = clock
        self.faults = faults
        self.generation = state.generation + 1 if state is not None else 0
        self.pairs = PairDirectory(config.instruments)
        self.market = PublicMarket(config.instruments, kinds)
        self.nonces = NonceGuard()
        self.tokens = TokenRegistry(config.token_ttl_s, clock.wall_ns)
        fill_config = FillModelConfig(latency_ns=round(config.latency_ms * 1_000_000))
        saved = {a.api_key: a for a in state.accounts} if state is not None else {}
        self.accounts: dict[str, SimAccount] = {}
        self._restore: list[tuple[SimAccount, list[OrderRecord]]] = []
        for spec in config.accounts or (demo_account(config.seed),):
            old = saved.get(spec.api_key)
            account = SimAccount(
                spec,
                config.instruments,
                fill_config,
                clock=clock,
                seed=config.seed,
                generation=self.generation,
                limits_now=limits_now,
                balances=old.balances if old is not None else None,
                fills=old.fills if old is not None else (),
            )
            if old is not None:
                self.accept_nonce(account, old.last_nonce)
                account.deadman_at_ns = old.deadman_at_ns
                self._restore.append((account, old.orders))
            self.accounts[spec.api_key] = account
        for gone in set(saved) - set(self.accounts):
            logger.warning("state file: account %s is not configured any more; its state is dropped", gone)
        self.events = 0  # market events processed

    # -- market and time ---------------------------------------------------------------------------

    def on_market_event(self, event: Event) -> None:
        self.clock.saw(event.ts_event)
        if self._restore:
            self._restore_orders()
        self.events += 1
        self.market.apply(event)
        for account in self.accounts.values():
            account.on_market(event)

    def tick(self) -> None:
        """Called every few ms of wall time: engine timers (cancels, expiries) and dead-man switches."""
        market_ns, wall_ns = self.clock.market_now_ns(), self.clock.wall_ns()
        for account in self.accounts.values():
            if market_ns:
                account.advance(market_ns)
            if account.deadman_at_ns is not None and wall_ns >= account.deadman_at_ns:
                account.deadman_at_ns = None
                account.revision += 1
                account.cancel_all()

    @property
    def revision(self) -> int:
        """Changes so far; the state file is rewritten when this moved."""
        return sum(a.revision for a in self.accounts.values())

    def restore_pending(self) -> None:
        """Re-submit restored open orders now (called when no market event arrives to do it)."""
        if self._restore:
            self._restore_orders()

    def _restore_orders(self) -> None:
        restore, self._restore = self._restore, []
        for account, records in restore:
            for record in records:
                account.restore_order(record)

    # -- accounts -----------------------------------------------------------------------------------

    def account(self, api_key: str) -> SimAccount | None:
        return self.accounts.get(api_key)

    def accept_nonce(self, account: SimAccount, nonce: int) -> bool:
        """Strictly increasing per key (``NonceGuard``); remembered for the state file."""
        if not self.nonces.accept(account.api_key, nonce):
            return False
        account.last_nonce = nonce
        account.revision += 1
        return True

    def place(self, account: SimAccount, intent: OrderIntent) -> OrderRecord:
        """AddOrder / add_order for ``account``; a configured ``reject_order`` fault refuses first."""
        symbol = intent.instrument.symbol
        forced = self.faults.order_rejection(symbol)
        if forced is not None:
            raise ExchangeError(forced, "reject_order fault")
        book = self.market.pairs[symbol].book
        side = book.asks if intent.side is Side.BUY else book.bids
        reference: Decimal | None = side[0].price if side else None
        return account.place(intent, reference)

    def set_dead_man(self, account: SimAccount, timeout_s: int) -> tuple[int, int | None]:
        """CancelAllOrdersAfter: (now, trigger time) in wall ns; 0 s disarms the switch."""
        now = self.clock.wall_ns()
        account.deadman_at_ns = now + timeout_s * NS_PER_S if timeout_s > 0 else None
        account.revision += 1
        return now, account.deadman_at_ns

    # -- persistence ----------------------------------------------------------------------------------

    def snapshot(self) -> SimState:
        return SimState(
            generation=self.generation,
            accounts=[
                AccountState(
                    api_key=a.api_key,
                    balances=a.account.balances(),
                    last_nonce=a.last_nonce,
                    orders=list(a.ledger.by_txid.values()),
                    fills=list(a.ledger.fills),
                    deadman_at_ns=a.deadman_at_ns,
                )
                for a in self.accounts.values()
            ],
        )

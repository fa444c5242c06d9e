"""Execution costs: market data in → order out, and orders per second through handler + venue.

Run: python -m bench.bench_execution   (prints one line per measurement)

What is counted (wall time, perf_counter_ns, after a warm-up):
- tick-to-order latency: from ``SyncBus.publish(OrderBookUpdated)`` to the moment the
  ExecutionHandler publishes the entry's ``SubmitOrder``, through StrategyArbitrator (a rule
  source that wants to enter on every book update: no model) → RiskManager (all eight stages,
  reading a live PortfolioManager) → ExecutionHandler, with the HaltCoordinator and the portfolio
  subscribed as in a session. After each sample the venue's answer (the entry canceled) returns
  the pair to flat, so every sample is a fresh entry; p50/p99 over 5,000 samples.
- orders per second through ExecutionHandler + SimulatedVenue (the real matching engine, zero
  latency) on a SyncBus: each round trip is an approved market entry that fills against a book,
  its take-profit leg, a ClosePosition that cancels the leg and the market exit that fills —
  three orders and a cancel; orders counted are ``SubmitOrder`` commands, over 3,000 round trips.
"""

from __future__ import annotations

import logging
import os
import platform
import time
from collections.abc import Iterable
from decimal import Decimal

from galfriday.config.sections.risk import PortfolioSettings, RiskSettings
from galfriday.config.sections.signal import StrategySettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import (
    BookLevel,
    ClosePosition,
    Event,
    OrderBookUpdated,
    OrderCanceled,
    SignalApproved,
    SubmitOrder,
    new_id,
)
from galfriday.core.instruments import default_instruments
from galfriday.core.types import ExitReason, OrderType, Side
from galfriday.execution import ExecutionHandler
from galfriday.portfolio.manager import PortfolioManager
from galfriday.portfolio.order_tags import OrderTagRegistry
from galfriday.risk.halt import HaltCoordinator
from galfriday.risk.manager import RiskManager
from galfriday.sim.matching import Account, FillModelConfig
from galfriday.sim.venue import SimulatedVenue
from galfriday.strategy.arbitrator import StrategyArbitrator
from galfriday.strategy.intents import Action, Intent, SourceHandler

T0 = 1_715_000_000_000_000_000
PAIR = "XRP/USD"
INSTRUMENTS = {PAIR: default_instruments()[PAIR]}
D = Decimal


def _percentiles(samples: list[int]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2] / 1000, ordered[int(len(ordered) * 0.99)] / 1000


def _book(ts: int) -> OrderBookUpdated:
    """A one-level book whose size changes every update, so the fill model treats each as fresh
    liquidity (it remembers what we took from a level until the feed re-states its size)."""
    size = D(100_000 + ts // 1_000_000 % 2)
    return OrderBookUpdated(
        ts_event=ts,
        ts_init=ts,
        pair=PAIR,
        bids=(BookLevel(D("0.49999"), size),),
        asks=(BookLevel(D("0.50001"), size),),
    )


class EnterOnEveryBook:
    """A rule source that wants a long on every book update (the strategy decides if it may)."""

    name = "bench"

    def subscriptions(self) -> Iterable[tuple[type, SourceHandler]]:
        return ((OrderBookUpdated, self.on_book),)

    def on_book(self, event: OrderBookUpdated) -> Intent:
        return Intent(event.pair, Action.ENTER, "bench", correlation_id=event.event_id)


def bench_tick_to_order(n: int = 5_000, warmup: int = 500) -> tuple[float, float]:
    clock = SimClock(T0)
    bus = SyncBus()
    portfolio = PortfolioManager(PortfolioSettings(initial_cash=D(100_000)), INSTRUMENTS, clock, bus.publish)
    halt = HaltCoordinator(RiskSettings(), clock, bus.publish, portfolio)
    risk = RiskManager(RiskSettings(), INSTRUMENTS, portfolio, halt, clock, bus.publish)
    strategy_settings = StrategySettings()
    strategy = StrategyArbitrator(
        strategy_settings, INSTRUMENTS, clock, bus.publish, portfolio.order_tags, sources=[EnterOnEveryBook()]
    )
    sent: list[SubmitOrder] = []
    sent_at: list[int] = []

    def publish(event: Event) -> None:
        if isinstance(event, SubmitOrder):
            sent_at.append(time.perf_counter_ns())
            sent.append(event)
        bus.publish(event)

    handler = ExecutionHandler(strategy_settings, INSTRUMENTS, clock, publish, portfolio.order_tags)
    for component in (portfolio, halt, risk, strategy, handler):
        component.attach(bus)
    samples: list[int] = []
    for i in range(n + warmup):
        ts = T0 + (i + 1) * 1_000_000_000
        clock.advance_to(ts)
        book = _book(ts)
        start = time.perf_counter_ns()
        bus.publish(book)
        if len(sent) != i + 1:
            raise RuntimeError(f"sample {i}: no entry order was sent; the bench set-up is broken")
        if i >= warmup:
            samples.append(sent_at[-1] - start)
        entry = sent[-1]
        bus.publish(  # the venue's answer: canceled, so the pair is flat again for the next sample
            OrderCanceled(
                ts_event=ts,
                ts_init=ts,
                correlation_id=entry.correlation_id,
                client_order_id=entry.client_order_id,
                exchange_order_id="",
                pair=PAIR,
            )
        )
    return _percentiles(samples)


def bench_orders_per_second(round_trips: int = 3_000) -> tuple[float, int]:
    clock = SimClock(T0)
    bus = SyncBus()
    tags = OrderTagRegistry(retain_finished=1_000)
    settings = StrategySettings()
    handler = ExecutionHandler(settings, INSTRUMENTS, clock, bus.publish, tags, retain_finished=1_000)
    venue = SimulatedVenue(
        INSTRUMENTS, Account({"USD": "1000000000"}), clock, bus.publish, config=FillModelConfig(latency_ns=0)
    )
    submitted = 0

    def count(_: SubmitOrder) -> None:
        nonlocal submitted
        submitted += 1

    handler.attach(bus)
    venue.attach(bus)
    bus.subscribe(SubmitOrder, count)
    ts = T0
    start = time.perf_counter()
    for _ in range(round_trips):
        ts += 1_000_000
        clock.advance_to(ts)
        bus.publish(_book(ts))
        bus.publish(
            SignalApproved(
                ts_event=ts,
                ts_init=ts,
                signal_id=new_id(),
                pair=PAIR,
                strategy_id="bench",
                side=Side.BUY,
                entry_type=OrderType.MARKET,
                qty=D(1000),
                entry_price=None,
                sl_price=D("0.49000"),
                tp_price=D("0.52000"),
            )
        )
        ts += 1_000_000
        clock.advance_to(ts)
        bus.publish(_book(ts))  # the entry fills; its take-profit leg is placed
        bus.publish(ClosePosition(ts_event=ts, ts_init=ts, pair=PAIR, reason=ExitReason.TIME_EXIT))
        ts += 1_000_000
        clock.advance_to(ts)
        bus.publish(_book(ts))  # the exit fills
        if handler.bracket(PAIR) is not None:
            raise RuntimeError("a round trip did not end flat; the bench set-up is broken")
    elapsed = time.perf_counter() - start
    if submitted != 3 * round_trips:
        raise RuntimeError(f"{submitted} orders for {round_trips} round trips, not 3 each: set-up broken")
    return submitted / elapsed, submitted


def main() -> None:
    logging.disable(logging.WARNING)
    print(
        f"execution benchmark — {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
    )
    p50, p99 = bench_tick_to_order()
    print(
        f"tick-to-order (book update → SubmitOrder published; strategy → risk → execution, SyncBus): "
        f"p50 {p50:.1f} µs, p99 {p99:.1f} µs"
    )
    rate, orders = bench_orders_per_second()
    print(
        f"orders through ExecutionHandler + SimulatedVenue (entry, take-profit, exit + a cancel per round "
        f"trip, SyncBus): {rate:,.0f} orders/s ({orders} orders)"
    )


if __name__ == "__main__":
    main()

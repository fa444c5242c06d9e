"""Trading-core costs: a pre-trade risk check per signal, and a ledger update per fill.

Run: python -m bench.bench_trading_core   (prints one line per measurement)

What is counted (wall time of the call itself, perf_counter_ns around each call, after a warm-up):
- risk check, approved: ``RiskManager.check`` of a limit entry that passes all eight stages
  (validate → round → fat_finger → size → exposure → order_value → balance → halt), reading a live
  ``PortfolioManager`` that holds positions in two pairs; p50/p99 over 20,000 signals.
- risk check, rejected at validate: the cheapest path (a SELL signal), for scale.
- ledger update per fill: ``PortfolioManager.on_order_filled`` — Decimal bookkeeping, trade
  tracking, reservations, drawdown update and building ``PositionChanged`` (+ ``TradeClosed`` on
  every second fill) — with a no-op publish; alternating buy/sell fills with quote fees; p50/p99.
- ledger only: ``Ledger.apply_fill`` alone (the accounting, no events).
"""

from __future__ import annotations

import logging
import os
import platform
import time
from collections.abc import Callable
from decimal import Decimal

from galfriday.config.sections.risk import PortfolioSettings, RiskSettings
from galfriday.core.clock import SimClock
from galfriday.core.events import BookLevel, OrderBookUpdated, OrderFilled, SignalProposed, new_id
from galfriday.core.instruments import default_instruments
from galfriday.core.types import LiquiditySide, OrderType, Side
from galfriday.portfolio.ledger import Ledger
from galfriday.portfolio.manager import PortfolioManager
from galfriday.portfolio.order_tags import OrderTag
from galfriday.risk.halt import HaltCoordinator
from galfriday.risk.manager import RiskManager

T0 = 1_715_000_000_000_000_000
INSTRUMENTS = default_instruments()
XRP = INSTRUMENTS["XRP/USD"]


def _percentiles(samples: list[int]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2] / 1000, ordered[int(len(ordered) * 0.99)] / 1000


def _timed(call: Callable[[int], object], n: int, warmup: int = 2000) -> tuple[float, float]:
    for i in range(warmup):
        call(i)
    clock = time.perf_counter_ns
    samples = []
    for i in range(n):
        start = clock()
        call(i)
        samples.append(clock() - start)
    return _percentiles(samples)


def _book(pair: str, bid: str, ask: str) -> OrderBookUpdated:
    return OrderBookUpdated(
        ts_event=T0,
        ts_init=T0,
        pair=pair,
        bids=(BookLevel(Decimal(bid), Decimal(1000)),),
        asks=(BookLevel(Decimal(ask), Decimal(1000)),),
    )


def _fill(side: Side, qty: str, price: str, fee: str) -> OrderFilled:
    q = Decimal(qty)
    return OrderFilled(
        ts_event=T0,
        ts_init=T0,
        client_order_id=new_id(),
        exchange_order_id="O",
        fill_id=new_id(),
        pair="XRP/USD",
        side=side,
        qty=q,
        price=Decimal(price),
        fee=Decimal(fee),
        fee_currency="USD",
        liquidity=LiquiditySide.TAKER,
        cum_qty=q,
        leaves_qty=Decimal(0),
    )


def _portfolio(clock: SimClock) -> PortfolioManager:
    portfolio = PortfolioManager(
        PortfolioSettings(initial_cash=Decimal(100_000)), INSTRUMENTS, clock, lambda e: None
    )
    portfolio.on_book(_book("XRP/USD", "0.49999", "0.50001"))
    portfolio.on_book(_book("DOGE/USD", "0.1499990", "0.1500010"))
    portfolio.on_order_filled(_fill(Side.BUY, "4000", "0.50000", "5.2"))
    return portfolio


def bench_risk(n: int = 20_000) -> tuple[tuple[float, float], tuple[float, float]]:
    clock = SimClock(T0)
    portfolio = _portfolio(clock)
    halt = HaltCoordinator(RiskSettings(), clock, lambda e: None, portfolio)
    risk = RiskManager(RiskSettings(), INSTRUMENTS, portfolio, halt, clock, lambda e: None)

    def proposal(side: Side) -> SignalProposed:
        return SignalProposed(
            ts_event=T0,
            ts_init=T0,
            signal_id=new_id(),
            pair="XRP/USD",
            strategy_id="bench",
            side=side,
            entry_type=OrderType.LIMIT,
            entry_price=Decimal("0.50000"),
            sl_price=Decimal("0.49000"),
            tp_price=Decimal("0.52000"),
        )

    buys = [proposal(Side.BUY) for _ in range(n + 2000)]
    sells = [proposal(Side.SELL) for _ in range(n + 2000)]
    assert risk.check(buys[0]).approved and not risk.check(sells[0]).approved
    return _timed(lambda i: risk.check(buys[i]), n), _timed(lambda i: risk.check(sells[i]), n)


def bench_fills(n: int = 50_000) -> tuple[tuple[float, float], tuple[float, float]]:
    fills = [
        _fill(Side.BUY, "1000", "0.50000", "1.3")
        if i % 2 == 0
        else _fill(Side.SELL, "1000", "0.50100", "1.3026")
        for i in range(n + 2000)
    ]
    portfolio = _portfolio(SimClock(T0))
    for i, f in enumerate(fills):  # tagged as execution would: entries and take-profit exits
        tag = OrderTag.entry(None, "bench") if i % 2 == 0 else OrderTag.take_profit(None, "bench")
        portfolio.order_tags.register(f.client_order_id, tag)
    manager_cost = _timed(lambda i: portfolio.on_order_filled(fills[i]), n)
    ledger = Ledger("USD", {"USD": Decimal(100_000)})

    def apply(i: int) -> None:
        f = fills[i]
        ledger.apply_fill(XRP, f.side, f.qty, f.price, f.fee, f.fee_currency)

    return manager_cost, _timed(apply, n)


def main() -> None:
    logging.disable(logging.WARNING)  # the set-up's untagged fill logs a warning; not what is measured
    print(
        f"trading core benchmark — {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
    )
    (approved, rejected) = bench_risk()
    print(f"risk check per signal, approved (8 stages): p50 {approved[0]:.1f} µs, p99 {approved[1]:.1f} µs")
    print(f"risk check per signal, rejected at validate: p50 {rejected[0]:.1f} µs, p99 {rejected[1]:.1f} µs")
    manager, ledger = bench_fills()
    print(
        f"portfolio update per fill (ledger, trade, events): p50 {manager[0]:.1f} µs, p99 {manager[1]:.1f} µs"
    )
    print(f"ledger only (Ledger.apply_fill) per fill: p50 {ledger[0]:.1f} µs, p99 {ledger[1]:.1f} µs")


if __name__ == "__main__":
    main()

"""Speed of the exchange simulator (``galfriday exchange-sim``).

Run: python -m bench.bench_exchange_sim   (prints one line per measurement; copy into docs/benchmarks.md)

What is counted (one process and one core: the clients share the simulator's event loop, so every
number includes the client's own work too; best of 3 runs; the load average is printed because a
busy shared machine halves these numbers):
- WS messages/s to one client: the generated market (XRP/USD + DOGE/USD) at ``--speed max``, one
  aiohttp client subscribed to book (depth 10) and trade for both pairs; messages received in
  3 s (books diffed and checksummed per message, JSON-encoded once, queued, sent, decoded).
- REST private calls/s: our ``KrakenPrivateClient`` over keep-alive HTTP, one call at a time:
  Balance, and AddOrder + CancelOrder pairs (a resting limit). Every call is signed, verified
  (HMAC-SHA512), nonce-checked and metered; the counters run on a clock that jumps ahead 1000 s
  per call so Kraken's rate limits never refuse (they are not what is measured).
- replay: market events/s through the exchange at max speed without any client: public book,
  tape and candles updated and every event matched by two accounts' engines, each holding 20
  resting limit orders per pair.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import platform
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from itertools import islice

import aiohttp

from galfriday.core.instruments import default_instruments
from galfriday.core.types import OrderType, Side
from galfriday.kraken.orders_wire import AddOrderRequest
from galfriday.kraken.rest_private import KrakenPrivateClient
from galfriday.kraken.trading_limits import RestCallCounter, TierLimits, TradingLimits
from galfriday.sim.server import AccountSpec, ExchangeSimulator, SimulatorConfig
from galfriday.sim.server.accounts import demo_account
from galfriday.sim.server.clock import MarketClock
from galfriday.sim.server.exchange import Exchange
from galfriday.sim.server.faults import FaultInjector
from galfriday.sim.server.market_source import generated_market
from galfriday.sim.server.order_params import OrderIntent

RUNS = 3
XRP, DOGE = default_instruments()["XRP/USD"], default_instruments()["DOGE/USD"]
UNLIMITED = TierLimits(1e12, 1e12, 1e12, 1e12, 1_000_000)


class Nonces:
    def __init__(self) -> None:
        self.last = 0

    async def next_nonce(self) -> int:
        self.last = max(time.time_ns() // 1000, self.last + 1)
        return self.last


class JumpingClock:
    """Monotonic seconds that leap 1000 s per reading: rate-limit counters are always drained."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1000.0
        return self.now


def _account() -> AccountSpec:
    base = demo_account(1)
    return AccountSpec(
        api_key=base.api_key,
        secret=base.secret,
        tier="pro",
        balances={"USD": Decimal(10**9), "XRP": Decimal(10**9), "DOGE": Decimal(10**9)},
    )


async def ws_messages(seconds: float = 3.0) -> tuple[int, float]:
    config = SimulatorConfig(speed=float("inf"), accounts=(_account(),))
    async with (
        ExchangeSimulator(config) as sim,
        aiohttp.ClientSession() as http,
        http.ws_connect(sim.ws_public_url, max_msg_size=0) as ws,
    ):
        pairs = ["XRP/USD", "DOGE/USD"]
        await ws.send_json(
            {"method": "subscribe", "req_id": 1, "params": {"channel": "book", "symbol": pairs, "depth": 10}}
        )
        await ws.send_json(
            {
                "method": "subscribe",
                "req_id": 2,
                "params": {"channel": "trade", "symbol": pairs, "snapshot": False},
            }
        )
        count, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            frame = await ws.receive()
            if frame.type is not aiohttp.WSMsgType.TEXT:
                raise RuntimeError(f"the simulator closed the socket: {frame.type}")
            count += 1
        return count, elapsed


async def rest_calls(calls: int = 600) -> tuple[int, float]:
    spec = _account()
    async with ExchangeSimulator(SimulatorConfig(accounts=(spec,)), limits_now=JumpingClock()) as sim:
        client = KrakenPrivateClient(
            sim.rest_url,
            spec.api_key,
            spec.secret,
            Nonces(),
            tier="pro",
            rest_counter=RestCallCounter(UNLIMITED),
            trading_limits=TradingLimits(UNLIMITED),
        )
        order = AddOrderRequest(
            instrument=XRP,
            side=Side.BUY,
            order_type=OrderType.LIMIT,
            qty=Decimal(50),
            limit_price=Decimal("0.10000"),
        )
        async with client:
            await client.balance()  # connection set up outside the timing
            start = time.perf_counter()
            for _ in range(calls // 3):
                await client.balance()
                txid = (await client.add_order(order)).txid
                await client.cancel_order(txid=txid)
            return calls // 3 * 3, time.perf_counter() - start


def replay(events: int = 100_000) -> tuple[int, float]:
    now = time.time_ns()
    clock = MarketClock(float("inf"), wall_ns=time.time_ns)
    first = _account()
    specs = (first, AccountSpec(api_key="second", secret=first.secret, tier="pro", balances=first.balances))
    config = SimulatorConfig(speed=float("inf"), accounts=specs)
    source = generated_market(config.instruments, seed=0, start_ns=now)
    exchange = Exchange(config, clock=clock, faults=FaultInjector(), kinds=source.kinds)
    stream = iter(source.events)
    for event in islice(stream, 100):
        exchange.on_market_event(event)
    for account in exchange.accounts.values():
        for inst, price in ((XRP, Decimal("0.30000")), (DOGE, Decimal("0.0500000"))):
            for i in range(20):
                exchange.place(
                    account,
                    OrderIntent(
                        instrument=inst,
                        side=Side.BUY,
                        order_type=OrderType.LIMIT,
                        qty=Decimal(1000),
                        limit_price=price - inst.tick * i,
                    ),
                )
    start = time.perf_counter()
    for event in islice(stream, events):
        exchange.on_market_event(event)
    return events, time.perf_counter() - start


def best_async(run: Callable[[], Awaitable[tuple[int, float]]]) -> float:
    return max(n / s for n, s in (asyncio.run(run()) for _ in range(RUNS)))


def best(run: Callable[[], tuple[int, float]]) -> float:
    return max(n / s for n, s in (run() for _ in range(RUNS)))


def main() -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"# exchange simulator benchmark — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cpu, "
        f"{platform.processor() or platform.machine()}, load average {load}"
    )
    rows = [
        ("WS public messages to one client (speed max)", best_async(ws_messages), "msgs/s"),
        ("REST private calls, sequential (Balance/AddOrder/Cancel)", best_async(rest_calls), "calls/s"),
        ("replay through the exchange (2 accounts, 80 resting)", best(replay), "events/s"),
    ]
    for label, rate, unit in rows:
        print(f"{label + ':':58} {rate:>10,.0f} {unit}")


if __name__ == "__main__":
    main()

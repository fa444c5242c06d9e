"""Fixtures for the exchange simulator tests: a running simulator per test (127.0.0.1, a free
port), two funded accounts, and our own private client pointed at it."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest

from galfriday.kraken.rate_limit import RetryPolicy
from galfriday.kraken.rest_private import KrakenPrivateClient
from galfriday.sim.server import AccountSpec, ExchangeSimulator, SimulatorConfig

# The secret of Kraken's official API-Sign example (docs/kraken_protocol.md §3).
OFFICIAL_SECRET = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
ALICE = AccountSpec(
    name="alice",
    api_key="alice-key",
    secret=OFFICIAL_SECRET,
    tier="pro",
    balances={"USD": Decimal(100_000), "XRP": Decimal(100_000), "DOGE": Decimal(1_000_000)},
)
BOB = AccountSpec(
    name="bob",
    api_key="bob-key",
    secret=base64.b64encode(b"bob-secret" * 6).decode(),
    tier="starter",
    balances={"USD": Decimal(5_000), "XRP": Decimal(0)},
)
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05, jitter=0.0)

StartSim = Callable[..., Awaitable[ExchangeSimulator]]


class MemoryNonces:
    """Microsecond nonces, strictly increasing (what FileNonceSource issues, minus the file)."""

    def __init__(self) -> None:
        self.last = 0

    async def next_nonce(self) -> int:
        self.last = max(time.time_ns() // 1000, self.last + 1)
        return self.last


@pytest.fixture
async def start_sim() -> AsyncIterator[StartSim]:
    """``await start_sim(**config_overrides)``: a running simulator, stopped after the test."""
    running: list[ExchangeSimulator] = []

    async def start(**overrides: Any) -> ExchangeSimulator:
        limits_now = overrides.pop("limits_now", time.monotonic)
        overrides.setdefault("accounts", (ALICE, BOB))
        sim = ExchangeSimulator(SimulatorConfig(**overrides), limits_now=limits_now)
        await sim.start()
        running.append(sim)
        return sim

    yield start
    for sim in reversed(running):
        if sim.port:
            await sim.stop()


@pytest.fixture
async def sim(start_sim: StartSim) -> ExchangeSimulator:
    return await start_sim()


def private_client(
    sim: ExchangeSimulator, account: AccountSpec = ALICE, **kwargs: Any
) -> KrakenPrivateClient:
    kwargs.setdefault("retry", FAST_RETRY)
    kwargs.setdefault("tier", account.tier)
    return KrakenPrivateClient(sim.rest_url, account.api_key, account.secret, MemoryNonces(), **kwargs)

"""Same seed and inputs, identical reports; the seed is the only source of randomness."""

from __future__ import annotations

from galfriday.core.types import Side
from galfriday.sim.matching import ExecutionReport
from tests.unit.sim._kit import engine, limit, market, std_book, trade


def _session(seed: int) -> list[ExecutionReport]:
    e = engine(seed=seed, latency_ns=1_000, latency_jitter_ns=5_000)
    out: list[ExecutionReport] = []
    for i in range(20):
        t = i * 1_000
        out += e.submit(market(Side.BUY, "10") if i % 3 else limit(Side.SELL, "10", "0.50020"), t)
        out += e.on_book(std_book(t + 500))
        out += e.on_trade(trade(t + 700, "0.50030", "5", Side.BUY))
    return out


def test_same_seed_gives_identical_reports() -> None:
    assert _session(3) == _session(3)


def test_different_seeds_give_different_ids_and_timing() -> None:
    a, b = _session(3), _session(4)
    assert [r.order_id for r in a] != [r.order_id for r in b]
    assert [r.ts_event for r in a] != [r.ts_event for r in b]

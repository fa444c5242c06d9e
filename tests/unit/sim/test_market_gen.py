"""The synthetic market: deterministic for a seed, a sane book on every event, trades that consume
the book, clustered volatility and bursty trade arrivals."""

from __future__ import annotations

import dataclasses
import itertools
import math
import statistics
from decimal import Decimal

import pytest

from galfriday.core.events import BookLevel, Event, MarketTradeReceived, OrderBookUpdated, encode_event
from galfriday.core.instruments import default_instruments
from galfriday.core.types import Side
from galfriday.sim.errors import SimError
from galfriday.sim.market import MarketGenerator, PairProfile, default_profiles

PAIRS = ("XRP/USD", "DOGE/USD")
INSTRUMENTS = default_instruments()


@pytest.fixture(scope="module")
def stream() -> list[Event]:
    return list(MarketGenerator(seed=0).events(max_events=40_000))


def _acf(x: list[float], lag: int) -> float:
    m = statistics.fmean(x)
    var = sum((a - m) ** 2 for a in x)
    return sum((x[i] - m) * (x[i + lag] - m) for i in range(len(x) - lag)) / var


def _abs_returns_after_trades(events: list[Event], pair: str) -> list[float]:
    """|log return| of the mid from one trade's book update to the next."""
    mids: list[Decimal] = []
    traded = False
    for e in events:
        if e.pair != pair:  # type: ignore[attr-defined]
            continue
        if isinstance(e, MarketTradeReceived):
            traded = True
        elif traded and isinstance(e, OrderBookUpdated):
            mids.append((e.bids[0].price + e.asks[0].price) / 2)
            traded = False
    return [abs(math.log(mids[i + 1] / mids[i])) for i in range(len(mids) - 1)]


def _clustering(events: list[Event], pair: str) -> float:
    absolute = _abs_returns_after_trades(events, pair)
    return statistics.fmean(_acf(absolute, lag) for lag in range(1, 6))


def test_same_seed_same_bytes_different_seed_different_market() -> None:
    def first(seed: int) -> list[bytes]:
        return [encode_event(e) for e in MarketGenerator(seed=seed).events(max_events=2_000)]

    assert first(5) == first(5)
    assert first(5) != first(6)


def test_stream_continues_and_respects_its_limits() -> None:
    gen = MarketGenerator(seed=1)
    assert gen.pairs == PAIRS
    head = list(gen.events(max_events=10))
    assert [e.is_snapshot for e in head[:2]] == [True, True]  # type: ignore[attr-defined]
    until = head[-1].ts_event + 5 * 10**9
    tail = list(gen.events(until_ns=until))
    assert tail and tail[0].ts_event > head[-1].ts_event and tail[-1].ts_event <= until
    with pytest.raises(SimError, match="max_events or until_ns"):
        next(gen.events())


def test_every_book_is_full_ordered_on_grid_and_never_crossed(stream: list[Event]) -> None:
    last_ts = -1
    seen: dict[int, tuple[str, BookLevel]] = {}  # levels are shared between books: check each once
    for e in stream:
        assert e.ts_event > last_ts and e.ts_init == e.ts_event
        last_ts = e.ts_event
        if not isinstance(e, OrderBookUpdated):
            continue
        assert len(e.bids) == len(e.asks) == 25
        assert e.asks[0].price - e.bids[0].price >= INSTRUMENTS[e.pair].tick  # never crossed
        bids, asks = [lv.price for lv in e.bids], [lv.price for lv in e.asks]
        assert bids == sorted(set(bids), reverse=True) and asks == sorted(set(asks))
        for lv in e.bids + e.asks:
            seen[id(lv)] = (e.pair, lv)
    for pair, lv in seen.values():
        inst = INSTRUMENTS[pair]
        assert lv.qty > 0 and inst.is_on_lot(lv.qty) and inst.is_on_tick(lv.price)


def test_spreads_are_a_few_ticks(stream: list[Event]) -> None:
    for pair, profile in zip(PAIRS, default_profiles(), strict=True):
        tick = INSTRUMENTS[pair].tick
        spreads = [(e.asks[0].price - e.bids[0].price) / tick for e in stream
                   if isinstance(e, OrderBookUpdated) and e.pair == pair]
        assert min(spreads) >= 1 and max(spreads) <= profile.spread_ticks[1] + 2


def test_trades_consume_the_book_they_hit(stream: list[Event]) -> None:
    book: dict[str, OrderBookUpdated] = {}
    prints: dict[str, list[MarketTradeReceived]] = {p: [] for p in PAIRS}
    checked = 0
    for e in stream:
        if isinstance(e, MarketTradeReceived):
            prints[e.pair].append(e)
            continue
        assert isinstance(e, OrderBookUpdated)
        before, batch = book.get(e.pair), prints[e.pair]
        if before is not None and batch:
            buy = batch[0].side is Side.BUY
            assert all(p.side is batch[0].side for p in batch)
            was = {lv.price: lv.qty for lv in (before.asks if buy else before.bids)}
            now = {lv.price: lv.qty for lv in (e.asks if buy else e.bids)}
            touch = (before.asks if buy else before.bids)[0].price
            assert batch[0].price == touch  # a buyer takes the best ask, a seller the best bid
            for p in batch:
                assert p.qty <= was[p.price]
                assert now.get(p.price, Decimal(0)) == was[p.price] - p.qty
            checked += 1
        book[e.pair], prints[e.pair] = e, []
    assert checked > 1_000


def test_volatility_clusters_because_of_garch(stream: list[Event]) -> None:
    calm = [dataclasses.replace(p, garch_alpha=0.0, garch_beta=0.0,
                                garch_omega=p.garch_omega / (1 - p.garch_alpha - p.garch_beta))
            for p in default_profiles()]
    constant_vol = list(MarketGenerator(calm, seed=0).events(max_events=40_000))
    for pair in PAIRS:
        clustered = _clustering(stream, pair)
        assert clustered > 0.04, pair  # positive autocorrelation of |returns|, lags 1..5
        assert clustered > _clustering(constant_vol, pair) + 0.02, pair


def test_trade_arrivals_are_bursty(stream: list[Event]) -> None:
    for pair in PAIRS:
        ts = [e.ts_event for e in stream if isinstance(e, MarketTradeReceived) and e.pair == pair]
        starts = [t for i, t in enumerate(ts) if i == 0 or t - ts[i - 1] > 1]  # one sweep = one arrival
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        assert statistics.pstdev(gaps) / statistics.fmean(gaps) > 1.2, pair  # Poisson would be 1


def test_profile_refuses_nonsense() -> None:
    xrp = default_profiles()[0]
    for change, match in (
        ({"depth": 5}, "depth"), ({"hawkes_jump_hz": 3.0}, "hawkes"), ({"garch_beta": 0.95}, "garch"),
        ({"spread_ticks": (0, 2)}, "spread"), ({"start_price": Decimal("0.001")}, "too close to zero"),
    ):
        with pytest.raises(SimError, match=match):
            dataclasses.replace(xrp, **change)
    with pytest.raises(SimError, match="one profile per pair"):
        MarketGenerator([xrp, xrp])
    assert isinstance(xrp, PairProfile)

"""FeatureEngine on the buses: equals batch computation, never looks ahead, stores, filters."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from galfriday.core.bus import AsyncBus, SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import (
    BookLevel,
    Event,
    FeatureVectorComputed,
    MarketTradeReceived,
    OrderBookUpdated,
)
from galfriday.core.types import Side
from galfriday.features import BookColumns, FeatureEngine, FeatureRegistry, TradeColumns, compute_features
from galfriday.storage.timeseries.point import Point

from ._markets import markets
from ._refs import S, assert_same, bar_events, recorded_book_events, recorded_trades, talib_reference

PAIR = "XBT/USDT"


@pytest.fixture(scope="module")
def market(shared_data: Path) -> dict:
    """Real Kraken XBTUSDT 1 m candles and trades of the same hours, plus the recorded BTC/USD book
    stretched in time to cover two of those hours."""
    candles = talib_reference(shared_data, "kraken_XBTUSDT_1m_talib.csv")
    candles["timestamp"] = candles.pop("time").astype(np.int64) * S
    trades = recorded_trades(shared_data, PAIR)
    books = recorded_book_events(shared_data, PAIR)
    t0, start = books[0].ts_event, int(candles["timestamp"][300])
    books = [_replace(e, ts_event=start + (e.ts_event - t0) * 140) for e in books]
    return {"candles": candles, "bars": bar_events(candles, PAIR, 60), "trades": trades, "books": books}


def _fields(event: Event) -> dict:
    return {f: getattr(event, f) for f in event.__struct_fields__}


def _replay(events_by_time: list[tuple[int, int, Event]], bus: SyncBus) -> None:
    for _, _, event in sorted(events_by_time, key=lambda x: (x[0], x[1])):
        bus.publish(event)


def _collect(bus: SyncBus | AsyncBus) -> list[FeatureVectorComputed]:
    out: list[FeatureVectorComputed] = []
    bus.subscribe(FeatureVectorComputed, out.append)
    return out


def _batch(market: dict, feature_set) -> np.ndarray:
    trades, books = market["trades"], market["books"]
    book_cols = _book_columns(books)
    trade_cols = TradeColumns(
        np.array([t.ts_event for t in trades]),
        [t.price for t in trades],
        [t.qty for t in trades],
        np.array([t.side.value == "BUY" for t in trades]),
    )
    result = compute_features(
        market["candles"], feature_set, trades=trade_cols, book=book_cols, interval_s=60
    )
    assert result.names == feature_set.names and not result.skipped
    return np.column_stack(list(result.columns.values()))


def _book_columns(books: list) -> BookColumns:
    shape = (len(books), 10)
    px = {side: np.full(shape, np.nan) for side in ("bids", "asks")}
    qty = {side: np.zeros(shape) for side in ("bids", "asks")}
    for i, e in enumerate(books):
        for side in ("bids", "asks"):
            for j, lv in enumerate(getattr(e, side)):
                px[side][i, j], qty[side][i, j] = float(lv.price), float(lv.qty)
    return BookColumns(
        np.array([e.ts_event for e in books]), px["bids"], qty["bids"], px["asks"], qty["asks"]
    )


@pytest.mark.parametrize("early_s", [0, 45])
def test_engine_on_sync_bus_equals_batch(market: dict, early_s: int) -> None:
    """The whole default set — bars, book and trades. With early_s > 0, book updates and trades
    stamped up to 45 s after a bar's close are delivered before that bar (as the live bus may):
    the vectors must not change."""
    fs = FeatureRegistry.load().feature_set("default_v1")
    bus = SyncBus()
    vectors = _collect(bus)
    FeatureEngine(bus, SimClock(0), fs, interval_s=60).start()
    early = early_s * S
    timeline = [(b.ts_event, 1, b) for b in market["bars"]]
    timeline += [(e.ts_event - early, 0, e) for e in market["trades"] + market["books"]]
    _replay(timeline, bus)
    streamed = np.array([v.values for v in vectors])
    assert_same(streamed, _batch(market, fs))
    assert [v.ts_event for v in vectors] == [b.ts_event for b in market["bars"]]
    assert {v.names for v in vectors} == {fs.names} and {v.feature_set_id for v in vectors} == {"default_v1"}
    book_rows = ~np.isnan(streamed[:, fs.names.index("spread_pct")])
    assert 100 < book_rows.sum() < len(streamed)  # the book covers part of the candles, as arranged


def test_bar_only_set_on_real_candles_equals_batch(shared_data: Path) -> None:
    candles = talib_reference(shared_data, "XRP_USDT_5m_talib.csv")
    candles["timestamp"] = candles.pop("time").astype(np.int64)
    fs = FeatureRegistry.load().feature_set("bars_v1")
    bus = SyncBus()
    vectors = _collect(bus)
    engine = FeatureEngine(bus, SimClock(0), fs, interval_s=300)
    engine.start()
    for bar in bar_events(candles, "XRP/USDT", 300):
        bus.publish(bar)
    batch = compute_features(candles, fs)
    assert_same(np.array([v.values for v in vectors]), np.column_stack(list(batch.columns.values())))
    assert engine.warm("XRP/USDT") and not engine.warm("DOGE/USD")


def test_warm_means_a_complete_vector(market: dict) -> None:
    fs = FeatureRegistry.load().feature_set("bars_v1")
    bus = SyncBus()
    vectors = _collect(bus)
    engine = FeatureEngine(bus, SimClock(0), fs)
    engine.start()
    assert not engine.warm(PAIR)
    for i, bar in enumerate(market["bars"][:60]):
        bus.publish(bar)
        assert engine.warm(PAIR) == all(map(math.isfinite, vectors[-1].values))
        assert engine.warm(PAIR) == (i >= 33)  # MACD's signal line is the last to warm up


def test_duplicate_and_foreign_bars_are_ignored(market: dict) -> None:
    fs = FeatureRegistry.load().feature_set("bars_v1")
    bus = SyncBus()
    vectors = _collect(bus)
    FeatureEngine(bus, SimClock(0), fs, interval_s=60, pairs=[PAIR]).start()
    bars = market["bars"][:5]
    for bar in bars:
        bus.publish(bar)
    bus.publish(bars[3])  # a replayed bar
    bus.publish(_replace(bars[4], interval_s=300))  # another interval
    bus.publish(_replace(bars[4], pair="DOGE/USD", open_time_ns=bars[4].open_time_ns + 60 * S))  # not ours
    assert len(vectors) == 5


def _replace(event: Event, **changes: object) -> Event:
    return event.__class__(**{**_fields(event), **changes})


def test_vectors_go_to_the_features_measurement(market: dict) -> None:
    fs = FeatureRegistry.load().feature_set("bars_v1")
    points: list[Point] = []
    bus = SyncBus()
    FeatureEngine(bus, SimClock(0), fs, submit=points.append, exchange="kraken").start()
    for bar in market["bars"][:60]:
        bus.publish(bar)
    assert len(points) == 60
    last = points[-1]
    assert last.measurement == "features" and last.ts_ns == market["bars"][59].ts_event
    assert last.tags == {"exchange": "kraken", "trading_pair": PAIR, "feature_set_id": "bars_v1"}
    assert set(last.fields) <= set(fs.names) and "rsi_14" in last.fields
    assert points[0].non_finite_dropped > 0  # warming up: NaN fields are left out, not stored


def test_stop_unsubscribes(market: dict) -> None:
    bus = SyncBus()
    vectors = _collect(bus)
    engine = FeatureEngine(bus, SimClock(0), FeatureRegistry.load().feature_set("bars_v1"))
    engine.start()
    engine.start()
    bus.publish(market["bars"][0])
    engine.stop()
    bus.publish(market["bars"][1])
    assert len(vectors) == 1


async def test_same_handlers_on_the_async_bus(market: dict) -> None:
    fs = FeatureRegistry.load().feature_set("bars_v1")
    bus = AsyncBus()
    vectors = _collect(bus)
    FeatureEngine(bus, SimClock(0), fs).start()
    await bus.start()
    for bar in market["bars"][:80]:
        bus.publish(bar)
    await bus.stop(drain=True)
    batch = compute_features({k: v[:80] for k, v in market["candles"].items()}, fs)
    assert_same(np.array([v.values for v in vectors]), np.column_stack(list(batch.columns.values())))


def test_trade_prices_need_no_float_round_trip(market: dict) -> None:
    """Trades stay Decimal all the way: a window holding one trade has exactly its price as VWAP."""
    yaml_text = (
        "features:\n  vw: {calculator: trade_flow, params: {window_s: 60}, output: vwap, version: 1}\n"
        "feature_sets:\n  t: {features: [vw]}\n"
    )
    fs = FeatureRegistry.from_yaml(("t.yaml", yaml_text)).feature_set("t")
    bus = SyncBus()
    vectors = _collect(bus)
    FeatureEngine(bus, SimClock(0), fs).start()
    bar = market["bars"][0]
    trade_ts = bar.ts_event - 30 * S
    bus.publish(
        MarketTradeReceived(
            ts_event=trade_ts,
            ts_init=trade_ts,
            pair=PAIR,
            price=Decimal("0.1"),
            qty=Decimal("3"),
            side=Side.SELL,
        )
    )
    bus.publish(bar)
    assert vectors[0].values == (0.1,)


def _market_events(trades: TradeColumns, book: BookColumns, pair: str) -> list[Event]:
    """The events a live feed would have carried for batch inputs (Decimal(repr(x)) round-trips)."""
    out: list[Event] = []
    for ts, price, qty, buy in zip(
        trades.ts_ns.tolist(), trades.price, trades.qty, trades.is_buy, strict=True
    ):
        side = Side.BUY if buy else Side.SELL
        dec = Decimal(repr(price)), Decimal(repr(qty))
        out.append(
            MarketTradeReceived(ts_event=ts, ts_init=ts, pair=pair, price=dec[0], qty=dec[1], side=side)
        )
    for i, ts in enumerate(book.ts_ns.tolist()):
        bids = tuple(
            BookLevel(Decimal(repr(p)), Decimal(repr(q)))
            for p, q in zip(book.bid_px[i].tolist(), book.bid_qty[i].tolist(), strict=True)
        )
        asks = tuple(
            BookLevel(Decimal(repr(p)), Decimal(repr(q)))
            for p, q in zip(book.ask_px[i].tolist(), book.ask_qty[i].tolist(), strict=True)
        )
        out.append(OrderBookUpdated(ts_event=ts, ts_init=ts, pair=pair, bids=bids, asks=asks))
    return out


@settings(max_examples=25, deadline=None)
@given(markets(), st.integers(0, 2**32 - 1))
def test_engine_equals_batch_whatever_the_delivery_order(data: tuple, seed: int) -> None:
    """Book updates and trades reach the engine up to 90 s before their timestamp says (the live
    bus gives no ordering across subscribers); the vectors are still those of the batch
    computation, which the batch no-look-ahead property shows to be causal."""
    candles, trades, book = data
    fs = FeatureRegistry.load().feature_set("default_v1")
    bus = SyncBus()
    vectors = _collect(bus)
    FeatureEngine(bus, SimClock(0), fs).start()
    rng = np.random.default_rng(seed)
    timeline = [(b.ts_event, 1, b) for b in bar_events(candles, PAIR, 60)]
    timeline += [
        (e.ts_event - int(rng.integers(0, 90 * S)), 0, e) for e in _market_events(trades, book, PAIR)
    ]
    _replay(timeline, bus)
    expected = compute_features(candles, fs, trades=trades, book=book, interval_s=60)
    assert_same(np.array([v.values for v in vectors]), np.column_stack(list(expected.columns.values())))

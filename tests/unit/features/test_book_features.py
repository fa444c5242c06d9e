"""Order-book features: definitions, streaming equals batch, and the book a bar close may see."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from galfriday.core.events import BookLevel, OrderBookUpdated
from galfriday.features.book_features import BookColumns, BookHistory, evaluate, evaluate_batch
from galfriday.features.indicators import BookFloats, depth, imbalance, top_of_book
from galfriday.features.spec import InstanceKey

from ._refs import assert_same, recorded_book_events

S = 1_000_000_000
TOP = InstanceKey("book_top", None, ())
IMBALANCE_5 = InstanceKey("book_imbalance", None, (("levels", 5),))
DEPTH_10 = InstanceKey("book_depth", None, (("levels", 10),))


def _levels(*pairs: tuple[str, str]) -> tuple[BookLevel, ...]:
    return tuple(BookLevel(Decimal(p), Decimal(q)) for p, q in pairs)


def _book(ts: int, bids: tuple[BookLevel, ...] = (), asks: tuple[BookLevel, ...] = ()) -> OrderBookUpdated:
    return OrderBookUpdated(ts_event=ts, ts_init=ts, pair="XRP/USD", bids=bids, asks=asks)


def _floats(event: OrderBookUpdated) -> BookFloats:
    return BookFloats.of(event.bids, event.asks, 10)


def test_definitions_on_a_small_book() -> None:
    bids = _levels(("0.5000", "300"), ("0.4999", "100"))
    asks = _levels(("0.5002", "100"), ("0.5003", "50"), ("0.5004", "50"))
    book = _floats(_book(0, bids, asks))
    top = top_of_book(book)
    assert top.mid == (0.5 + 0.5002) * 0.5
    assert math.isclose(top.spread_abs, 0.0002, rel_tol=1e-9)
    assert math.isclose(top.spread_pct, 0.0002 / 0.5001 * 100, rel_tol=1e-9)
    assert math.isclose(top.wap, (0.5 * 100 + 0.5002 * 300) / 400, rel_tol=1e-12)  # leans to the ask
    assert depth(book.bid_qty, 10) == 400.0 and depth(book.ask_qty, 2) == 150.0
    assert imbalance(depth(book.bid_qty, 5), depth(book.ask_qty, 5)) == (400 - 200) / 600


def test_empty_sides() -> None:
    one_sided = _floats(_book(0, (), _levels(("1.0", "2"))))
    assert all(math.isnan(v) for v in top_of_book(one_sided))
    assert evaluate(DEPTH_10, one_sided) == (0.0, 2.0)
    assert evaluate(IMBALANCE_5, one_sided) == (-1.0,)
    assert math.isnan(evaluate(IMBALANCE_5, _floats(_book(0)))[0])
    assert all(math.isnan(v) for v in evaluate(TOP, None) + evaluate(DEPTH_10, None))


def test_matches_the_market_data_order_book_on_a_real_recording(shared_data: Path) -> None:
    """The recorded Kraken BTC/USD book (checksums verified): our float features agree with the
    Decimal mid, spread, depth and imbalance that marketdata.OrderBook computes."""
    for event in recorded_book_events(shared_data)[::25]:
        book = _floats(event)
        spread_abs, spread_pct, mid, _ = evaluate(TOP, book)
        bid, ask = event.bids[0].price, event.asks[0].price
        assert math.isclose(mid, float((bid + ask) / 2), rel_tol=1e-15)
        assert math.isclose(spread_abs, float(ask - bid), rel_tol=1e-9)
        assert math.isclose(spread_pct, float((ask - bid) / ((bid + ask) / 2) * 100), rel_tol=1e-9)
        bid_depth, ask_depth = evaluate(DEPTH_10, book)
        assert math.isclose(bid_depth, float(sum(lv.qty for lv in event.bids)), rel_tol=1e-14)
        assert math.isclose(ask_depth, float(sum(lv.qty for lv in event.asks)), rel_tol=1e-14)
        exact = sum(lv.qty for lv in event.bids[:5]) - sum(lv.qty for lv in event.asks[:5])
        exact /= sum(lv.qty for lv in event.bids[:5]) + sum(lv.qty for lv in event.asks[:5])
        assert math.isclose(evaluate(IMBALANCE_5, book)[0], float(exact), rel_tol=1e-12)


def _columns(events: list[OrderBookUpdated], depth_: int = 10) -> BookColumns:
    shape = (len(events), depth_)
    bid_px, ask_px = np.full(shape, np.nan), np.full(shape, np.nan)
    bid_qty, ask_qty = np.zeros(shape), np.zeros(shape)
    for i, e in enumerate(events):
        for j, lv in enumerate(e.bids):
            bid_px[i, j], bid_qty[i, j] = float(lv.price), float(lv.qty)
        for j, lv in enumerate(e.asks):
            ask_px[i, j], ask_qty[i, j] = float(lv.price), float(lv.qty)
    return BookColumns(np.array([e.ts_event for e in events]), bid_px, bid_qty, ask_px, ask_qty)


def test_streaming_equals_batch_on_the_real_recording(shared_data: Path) -> None:
    events = recorded_book_events(shared_data)
    start = events[0].ts_event // S * S
    closes = np.arange(start, events[-1].ts_event + 2 * S, S)  # a "bar" every second
    history = BookHistory(S)
    feed = iter(events)
    pending = next(feed, None)
    streamed = {key: [] for key in (TOP, IMBALANCE_5, DEPTH_10)}
    for t in closes.tolist():
        while pending is not None and pending.ts_event <= t + S // 2:  # also deliver some "early" ones
            history.add(pending)
            pending = next(feed, None)
        event = history.at(t)
        book = None if event is None else _floats(event)
        for key, out in streamed.items():
            out.append(evaluate(key, book))
    rows, has_book = _columns(events).latest_at(closes)
    for key, out in streamed.items():
        batch = np.column_stack(evaluate_batch(key, rows, has_book))
        assert_same(np.array(out), batch)


def test_a_bar_close_never_sees_a_later_book() -> None:
    history = BookHistory(60 * S)
    early = _book(59 * S, _levels(("1.0", "1")), _levels(("1.1", "1")))
    late = _book(60 * S + 1, _levels(("2.0", "1")), _levels(("2.1", "1")))  # arrived before the bar
    history.add(early)
    history.add(late)
    assert history.at(60 * S) is early
    assert history.at(120 * S) is late


def test_out_of_order_updates() -> None:
    history = BookHistory(60 * S)
    b50, b40, b70, b65 = _book(50 * S), _book(40 * S), _book(70 * S), _book(65 * S)
    for event in (b70, b50, b65, b40):
        history.add(event)
    assert history.at(60 * S) is b50
    history.add(_book(55 * S))  # older than the book in use: ignored
    assert history.at(120 * S) is b70


@given(
    st.lists(st.integers(0, 600), max_size=40).map(sorted),
    st.lists(st.integers(0, 12), min_size=1, max_size=12).map(sorted),
)
def test_history_returns_the_latest_update_at_or_before_each_close(
    stamps: list[int], closes: list[int]
) -> None:
    interval = 50 * S
    events = [_book(s * S) for s in stamps]
    history = BookHistory(interval)
    for e in events:  # everything delivered up front: the worst case for look-ahead
        history.add(e)
    for k in closes:
        t = k * interval
        expected = [e for e in events if e.ts_event <= t]
        assert history.at(t) is (expected[-1] if expected else None)

"""Snapshots and diffs of the published book, checked by the client's own book model: whatever
the market does, a client that applies them (``marketdata.book.OrderBook``) verifies every checksum
and ends with exactly the exchange's top of book."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from galfriday.core.events import BookLevel
from galfriday.core.instruments import default_instruments
from galfriday.marketdata.book import OrderBook, Verdict
from galfriday.marketdata.checksum import checksum_v2
from galfriday.sim.server.public_book import PublicBook, synthetic_levels

XRP = default_instruments()["XRP/USD"]
TICK, LOT = XRP.tick, XRP.lot


def _side(ticks: list[int], sizes: list[int]) -> tuple[BookLevel, ...]:
    return tuple(BookLevel(TICK * t, LOT * s) for t, s in zip(ticks, sizes, strict=False))


def _wire(levels: Sequence[BookLevel]) -> list[tuple[Decimal, Decimal]]:
    """Levels as a client decodes them from the wire: (price, qty) pairs."""
    return [(lv.price, lv.qty) for lv in levels]


@st.composite
def books(draw: st.DrawFn) -> tuple:
    bids = sorted(draw(st.sets(st.integers(40_000, 49_999), min_size=1, max_size=40)), reverse=True)
    asks = sorted(draw(st.sets(st.integers(50_000, 59_999), min_size=1, max_size=40)))
    sizes = st.lists(st.integers(1, 10**12), min_size=40, max_size=40)
    return _side(bids, draw(sizes)), _side(asks, draw(sizes))


@settings(max_examples=40, deadline=None)
@given(st.lists(books(), min_size=2, max_size=25), st.sampled_from([10, 25]))
def test_clients_verify_every_message(states: list[tuple], depth: int) -> None:
    book = PublicBook(XRP)
    client = OrderBook("XRP/USD", depth, XRP.price_decimals, XRP.lot_decimals)
    bids, asks = states[0]
    book.update(1, bids, asks)
    snap_bids, snap_asks = book.snapshot(depth)
    assert (
        client.apply_message(_wire(snap_bids), _wire(snap_asks), book.checksum(), snapshot=True)
        is Verdict.VERIFIED
    )
    for ts, (bids, asks) in enumerate(states[1:], start=2):
        book.update(ts, bids, asks)
        diff = book.diff(depth)
        verdict = client.apply_message(_wire(diff.bids), _wire(diff.asks), book.checksum(), snapshot=False)
        assert verdict is Verdict.VERIFIED
        ours_bids, ours_asks = client.levels()
        assert (ours_bids, ours_asks) == (
            [(lv.price, lv.qty) for lv in bids[:depth]],
            [(lv.price, lv.qty) for lv in asks[:depth]],
        )


def test_checksum_matches_the_reference_formula() -> None:
    book = PublicBook(XRP)
    bids, asks = synthetic_levels(Decimal("0.52000"), XRP)
    book.update(1, bids, asks)
    assert book.checksum() == checksum_v2(_wire(asks), _wire(bids), XRP.price_decimals, XRP.lot_decimals)


def test_deleted_levels_carry_a_zero_at_full_precision() -> None:
    book = PublicBook(XRP)
    bid = BookLevel(Decimal("0.50000"), Decimal("1.00000000"))
    ask = BookLevel(Decimal("0.50010"), Decimal("2.00000000"))
    book.update(1, (bid,), (ask,))
    book.snapshot(10)
    book.update(2, (), (ask,))
    diff = book.diff(10)
    assert diff.asks == [] and diff.bids == [BookLevel(Decimal("0.50000"), Decimal("0E-8"))]
    assert format(diff.bids[0].qty, "f") == "0.00000000"
    book.update(3, (), (ask,))
    assert not book.diff(10)  # nothing changed: nothing to send

"""Property tests: the book against a plain dict model and the from-scratch reference checksum."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from galfriday.marketdata.book import OrderBook
from galfriday.marketdata.checksum import checksum_v2

PRICE_DP, QTY_DP = 2, 4

prices = st.integers(min_value=1, max_value=60).map(lambda i: Decimal(i).scaleb(-PRICE_DP) + 1)
qtys = st.one_of(
    st.just(Decimal(0)),
    st.integers(min_value=1, max_value=10**6).map(lambda i: Decimal(i).scaleb(-QTY_DP)),
)
levels = st.lists(st.tuples(prices, qtys), max_size=15)
messages = st.lists(st.tuples(levels, levels), max_size=25)


class Model:
    """The rules of the docs, written as plainly as possible."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.bids: dict[Decimal, Decimal] = {}
        self.asks: dict[Decimal, Decimal] = {}

    @staticmethod
    def _apply(side: dict[Decimal, Decimal], changes: list[tuple[Decimal, Decimal]]) -> None:
        for price, qty in changes:
            if qty == 0:
                side.pop(price, None)
            else:
                side[price] = qty

    def snapshot(self, bids: list, asks: list) -> None:
        self.bids, self.asks = {}, {}
        self.update(bids, asks)

    def update(self, bids: list, asks: list) -> None:
        self._apply(self.bids, bids)
        self._apply(self.asks, asks)
        self.bids = dict(sorted(self.bids.items(), reverse=True)[: self.depth])
        self.asks = dict(sorted(self.asks.items())[: self.depth])

    def sides(self) -> tuple[list, list]:
        return sorted(self.bids.items(), reverse=True), sorted(self.asks.items())


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([1, 3, 10, 25]), levels, levels, messages)
def test_book_matches_model_and_reference_checksum(depth: int, snap_bids, snap_asks, updates) -> None:
    book = OrderBook("T/USD", depth, PRICE_DP, QTY_DP)
    model = Model(depth)
    book.apply_snapshot(snap_bids, snap_asks)
    model.snapshot(snap_bids, snap_asks)
    for bids, asks in [([], []), *updates]:
        book.apply_update(bids, asks)
        model.update(bids, asks)
        got_bids, got_asks = book.levels()
        want_bids, want_asks = model.sides()
        assert got_bids == want_bids
        assert got_asks == want_asks
        # invariants, stated directly
        for side, descending in ((got_bids, True), (got_asks, False)):
            side_prices = [p for p, _ in side]
            assert side_prices == sorted(side_prices, reverse=descending)
            assert len(set(side_prices)) == len(side_prices) <= depth
            assert all(q > 0 for _, q in side)
        assert book.checksum() == checksum_v2(want_asks, want_bids, PRICE_DP, QTY_DP)
        assert book.verify(checksum_v2(want_asks, want_bids, PRICE_DP, QTY_DP))


@given(prices, st.lists(qtys.filter(bool), min_size=1, max_size=5))
def test_repeated_sets_keep_only_the_last_quantity(price: Decimal, sizes: list[Decimal]) -> None:
    book = OrderBook("T/USD", 10, PRICE_DP, QTY_DP)
    book.apply_snapshot([], [])
    for qty in sizes:
        book.apply_update([(price, qty)], [])
    assert book.levels()[0] == [(price, sizes[-1])]

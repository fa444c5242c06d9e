"""Our orders never use the same displayed liquidity twice, until the feed re-states the level."""

from __future__ import annotations

from galfriday.core.types import LiquiditySide, Side
from tests.unit.sim._kit import D, book, engine, limit, market, std_book, trades_of


def test_two_orders_on_one_update_share_the_displayed_size() -> None:
    e = engine()
    e.submit(market(Side.BUY, "80"), 1)
    e.submit(market(Side.BUY, "80"), 1)
    fills = trades_of(e.on_book(std_book(2)))
    assert [(f.last_qty, f.last_price) for f in fills] == [
        (D("80"), D("0.50010")),
        (D("20"), D("0.50010")),  # only 100 shown at the best ask
        (D("60"), D("0.50020")),
    ]


def test_consumption_survives_an_update_that_leaves_the_level_unchanged() -> None:
    e = engine()
    e.submit(market(Side.BUY, "100"), 1)
    e.on_book(std_book(2))  # takes the whole best ask (100 @ 0.50010)
    e.submit(market(Side.BUY, "50"), 3)
    # bids changed, the 0.50010 ask still shows 100: that is the size we already took
    update = book(4, [("0.49995", "10")], [("0.50010", "100"), ("0.50020", "200")])
    fills = trades_of(e.on_book(update))
    assert [(f.last_qty, f.last_price) for f in fills] == [(D("50"), D("0.50020"))]


def test_consumption_is_forgotten_when_the_feed_restates_the_level() -> None:
    e = engine()
    e.submit(market(Side.BUY, "100"), 1)
    e.on_book(std_book(2))
    e.submit(market(Side.BUY, "50"), 3)
    update = book(4, [("0.49990", "100")], [("0.50010", "120"), ("0.50020", "200")])
    fills = trades_of(e.on_book(update))
    assert [(f.last_qty, f.last_price) for f in fills] == [(D("50"), D("0.50010"))]


def test_consumed_level_neither_takes_nor_crosses_a_new_limit_until_restated() -> None:
    e = engine()
    e.submit(market(Side.BUY, "100"), 1)
    e.on_book(std_book(2))  # the 100 @ 0.50010 are ours now
    e.submit(limit(Side.BUY, "30", "0.50010"), 3)
    assert trades_of(e.on_book(std_book(4))) == []  # nothing left at 0.50010: it rests
    assert trades_of(e.on_book(std_book(5))) == []  # same size shown again: still ours
    restated = book(6, [("0.49990", "100")], [("0.50010", "90"), ("0.50020", "200")])
    (fill,) = trades_of(e.on_book(restated))
    assert fill.last_qty == D("30") and fill.liquidity is LiquiditySide.MAKER

"""Matching our orders against an L2 book update.

Order of play on each book update stamped ``ts`` (the book as it stands after the update):
1. on a feed without trades, waiting stops look at the mid price (see ``triggers``);
2. resting limits the book now crosses fill first (they were there first), as MAKERS at their own
   limit price, against the crossing levels' available size;
3. orders waiting to meet the market (active strictly before ``ts``) take: a post-only order that
   would take is rejected; the others walk the opposite side level by level, each level a fill at
   that level's price as TAKER, until the order is filled, its limit is reached or the depth is
   gone; then ``taking.finish_turn`` decides what happens to the rest.
Every quantity taken is recorded in ``BookLiquidity`` so no level fills us twice.

In a feed with both books and trades, orders meet the market only on book updates: a trade print
says nothing about the depth behind it. (An order that rests can then also be filled by prints.)
"""

from __future__ import annotations

from decimal import Decimal

from galfriday.core.types import LiquiditySide, OrderStatus
from galfriday.sim.matching import reasons
from galfriday.sim.matching.executions import Executions
from galfriday.sim.matching.liquidity import BookLiquidity, BookSide
from galfriday.sim.matching.orders import SimOrder
from galfriday.sim.matching.taking import finish_turn
from galfriday.sim.matching.triggers import watch_triggers


def match_book(
    ts: int, book: BookLiquidity, ex: Executions, *, mid_triggers: bool, keep_market_rest: bool
) -> None:
    working = ex.working
    if not working:
        return
    if working.untriggered:
        watch_triggers(ts, ex, book.mid() if mid_triggers else None)
    for is_buy in (True, False):
        side = book.opposite(is_buy)
        for order in working.resting(is_buy):
            best = side.best_available()
            if best is None or not order.crosses(best):
                break
            if order.active_ns < ts:
                _walk(order, side, ex, ts, LiquiditySide.MAKER, at=order.limit_price)
    for order in list(working.takers.values()):
        if order.active_ns >= ts:
            continue
        side = book.opposite(order.is_buy)
        if not order.live:
            if order.post_only:
                best = side.best_available()
                if best is not None and order.crosses(best):
                    ex.end(order, OrderStatus.REJECTED, ts, reasons.POST_ONLY)
                    continue
            ex.new(order, ts)
        _walk(order, side, ex, ts, LiquiditySide.TAKER, at=None)
        finish_turn(order, ex, ts, keep_market_rest=keep_market_rest)


def _walk(
    order: SimOrder, side: BookSide, ex: Executions, ts: int, liquidity: LiquiditySide, at: Decimal | None
) -> None:
    """Take from ``side`` best level first while ``order`` crosses; fill at ``at`` or the level."""
    for price, displayed, available in side.offers():
        if not order.crosses(price):
            return
        if available <= 0:
            continue
        filled = ex.fill(order, price if at is None else at, available, liquidity, ts)
        if filled:
            side.consume(price, displayed, filled)
        if not order.is_open:
            return

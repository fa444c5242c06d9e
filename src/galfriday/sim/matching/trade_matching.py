"""Matching our orders against a public trade print.

A print of ``qty`` at ``price`` by an aggressor on ``side`` tells us two things:
1. the last price: waiting stops look at it (Kraken's ``trigger=last``);
2. liquidity on one side only. A seller who sold down to ``price`` would have hit our resting buy
   first if we bid more (price-time priority), so our resting buys priced *through* the print
   (``limit > price``; ``>=`` with ``limit_fill_on_touch``) fill as MAKERS at their own limit, best
   price first, up to the print's quantity. A buyer's print never fills our resting buys (that
   liquidity came from an ask, which the book path already accounts for), and vice versa.

On a feed without books (trades only), orders waiting to meet the market do so on the first print
*by an aggressor on their own side* strictly after they became active: such a print is the evidence
of what a taker on that side could get. They take up to the print's quantity at the print's price
slipped by ``slippage_bps`` (capped at a limit), as TAKERS; a post-only order that would take is
rejected; a limit the print does not reach rests.
"""

from __future__ import annotations

from decimal import Decimal

from galfriday.core.types import LiquiditySide, OrderStatus, Side
from galfriday.sim.matching import reasons
from galfriday.sim.matching.executions import Executions
from galfriday.sim.matching.pricing import taker_price
from galfriday.sim.matching.taking import finish_turn
from galfriday.sim.matching.triggers import watch_triggers


def match_trade(
    ts: int,
    price: Decimal,
    qty: Decimal,
    aggressor: Side,
    ex: Executions,
    *,
    takers_on_prints: bool,
    on_touch: bool,
    slippage_bps: Decimal,
    keep_market_rest: bool,
) -> None:
    working = ex.working
    if not working:
        return
    if working.untriggered:
        watch_triggers(ts, ex, price)
    remaining = qty
    hits_buys = aggressor is Side.SELL
    for order in working.resting(hits_buys):
        limit = order.limit_price
        assert limit is not None
        through = price < limit if hits_buys else price > limit
        if remaining <= 0 or not (through or (on_touch and price == limit)):
            break
        if order.active_ns < ts:  # a late print from before the order existed cannot fill it
            remaining -= ex.fill(order, limit, remaining, LiquiditySide.MAKER, ts)
    if not takers_on_prints:
        return
    remaining = qty
    tick = ex.tick
    for order in list(working.takers.values()):
        if order.active_ns >= ts or order.side is not aggressor:
            continue
        reaches = order.crosses(price)
        if not order.live:
            if order.post_only and reaches:
                ex.end(order, OrderStatus.REJECTED, ts, reasons.POST_ONLY)
                continue
            ex.new(order, ts)
        if reaches and remaining > 0:
            fill_price = taker_price(order, price, slippage_bps, tick)
            remaining -= ex.fill(order, fill_price, remaining, LiquiditySide.TAKER, ts)
        finish_turn(order, ex, ts, keep_market_rest=keep_market_rest)

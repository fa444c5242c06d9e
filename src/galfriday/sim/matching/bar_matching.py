"""Matching our orders against an OHLCV bar (no book): the coarse model, made pessimistic.

A bar only says the market traded between its low and high, starting at its open, with some
volume; the path inside it is unknown. So:

- Eligibility (no look-ahead): a bar can fill an order only if the order was active when the bar
  opened (``active_ns <= open_time_ns``: every trade of the bar is at or after its open time), and
  still open at its close (cancels and expiries due by the bar's close are applied first). With
  ``latency_ns > 0`` an order sent at a bar's close therefore first meets the bar after next; set
  the latency to 0 for the classic "next bar's open" bar backtest.
- Volume: our fills in one bar share at most ``max_bar_volume_share`` of its volume (rounded down
  to the lot), in chronological order: triggered stops, orders meeting the market at the open,
  then resting limits. A zero-volume bar fills nothing.
- Market orders (and limits the open already crosses) take at the open slipped by
  ``slippage_bps`` (capped at a limit), as TAKERS. A market order's rest waits for the next bar.
- A limit that does not cross at the open rests from the open; it fills at its own limit, as a
  MAKER, only if the bar trades THROUGH it (buy: low < limit; sell: high > limit), or merely touches
  it when ``limit_fill_on_touch``. Never at a better price than its limit.
- Stops fire on the high (buy stop-loss, sell take-profit) or the low (sell stop-loss, buy
  take-profit) touching the trigger. A stop-loss/take-profit then fills in the same bar at the
  trigger — or at the open if the bar gapped through it — slipped, as TAKER. A stop-/take-profit-
  limit becomes a limit order that first meets the market on the next bar.

Fills of a bar are stamped with the bar's close (``ts_event``): that is when the data exists.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from galfriday.core.events import BarClosed
from galfriday.core.instruments import round_to_increment
from galfriday.core.types import LiquiditySide, OrderStatus
from galfriday.sim.matching import reasons
from galfriday.sim.matching.config import FillModelConfig
from galfriday.sim.matching.executions import Executions
from galfriday.sim.matching.orders import SimOrder
from galfriday.sim.matching.pricing import taker_price
from galfriday.sim.matching.taking import finish_turn
from galfriday.sim.matching.triggers import bar_hits, bar_trigger_price


class _Budget:
    """What is left of the bar's volume share for our fills (worked out at the first fill: most
    bars fill nothing, and a position's resting take-profit makes every bar reach here)."""

    __slots__ = ("_lot", "_share", "left")

    def __init__(self, share: Decimal, lot: Decimal) -> None:
        self._share, self._lot = share, lot
        self.left: Decimal | None = None

    def fill(
        self, ex: Executions, order: SimOrder, price: Decimal, liquidity: LiquiditySide, ts: int
    ) -> None:
        left = self.left
        if left is None:
            left = self.left = round_to_increment(self._share, self._lot, ROUND_DOWN)
        if left > 0:
            self.left = left - ex.fill(order, price, left, liquidity, ts)


def match_bar(bar: BarClosed, ex: Executions, config: FillModelConfig) -> None:
    working = ex.working
    if not working.by_id:
        return
    ts, start, open_ = bar.ts_event, bar.open_time_ns, bar.open
    tick, bps = ex.tick, config.slippage_bps
    budget = _Budget(bar.volume * config.max_bar_volume_share, ex.lot)

    if working.untriggered:
        for order in list(working.untriggered.values()):
            if order.active_ns > start:
                continue
            if not order.live:
                ex.new(order, ts)
            if bar_hits(order, bar.high, bar.low):
                ex.trigger(order, ts)
                if order.takes_at_market:
                    price = taker_price(order, bar_trigger_price(order, open_), bps, tick)
                    budget.fill(ex, order, price, LiquiditySide.TAKER, ts)
                    finish_turn(order, ex, ts, keep_market_rest=True)

    if working.takers:
        for order in list(working.takers.values()):
            if order.active_ns > start:
                continue
            crosses_open = order.crosses(open_)
            if not order.live:
                if order.post_only and crosses_open:
                    ex.end(order, OrderStatus.REJECTED, ts, reasons.POST_ONLY)
                    continue
                ex.new(order, ts)
            if crosses_open:
                budget.fill(ex, order, taker_price(order, open_, bps, tick), LiquiditySide.TAKER, ts)
            finish_turn(order, ex, ts, keep_market_rest=True)

    low, high, on_touch = bar.low, bar.high, config.limit_fill_on_touch
    for is_buy, book in ((True, working.resting_buys), (False, working.resting_sells)):
        if not book:
            continue
        for order in working.resting(is_buy):
            limit = order.limit_price
            assert limit is not None
            if is_buy:
                reached = low < limit or (on_touch and low <= limit)  # through it, or touched
            else:
                reached = high > limit or (on_touch and high >= limit)
            if not reached:
                break
            if order.active_ns <= start:
                budget.fill(ex, order, limit, LiquiditySide.MAKER, ts)

"""When a stop-loss or take-profit fires, and at what price a bar fills it.

Kraken semantics: a stop-loss fires when the reference price reaches the trigger from the
unfavourable side (a sell stop when the price falls to it, a buy stop when it rises to it); a
take-profit from the favourable side. Reaching means touching: ``>=`` / ``<=``.

Reference price: the last trade (Kraken's default ``trigger=last``). On a feed that has shown no
trade for the pair (a book-only feed) the book's mid price stands in. On bars: the bar's high for
triggers that fire on a rise, its low for those that fire on a fall.
"""

from __future__ import annotations

from decimal import Decimal

from galfriday.core.types import OrderType
from galfriday.sim.matching.executions import Executions
from galfriday.sim.matching.orders import SimOrder

_STOPS = frozenset({OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT})


def fires_on_rise(order: SimOrder) -> bool:
    """True for a buy stop-loss and a sell take-profit."""
    return (order.order_type in _STOPS) == order.is_buy


def is_hit(order: SimOrder, reference: Decimal) -> bool:
    trigger = order.trigger_price
    assert trigger is not None  # only triggered types wait for a trigger
    return reference >= trigger if fires_on_rise(order) else reference <= trigger


def bar_hits(order: SimOrder, high: Decimal, low: Decimal) -> bool:
    return is_hit(order, high if fires_on_rise(order) else low)


def bar_trigger_price(order: SimOrder, open_: Decimal) -> Decimal:
    """Where a triggered market order starts on a bar: at the trigger, or at the open if the bar
    gapped through it (never the better trigger price after a gap)."""
    trigger = order.trigger_price
    assert trigger is not None
    return max(open_, trigger) if fires_on_rise(order) else min(open_, trigger)


def watch_triggers(ts: int, ex: Executions, reference: Decimal | None) -> None:
    """Waiting stops meet market data stamped ``ts``: reported NEW on first sight, then fired if
    ``reference`` reached their trigger. Only orders active strictly before ``ts`` look."""
    for order in list(ex.working.untriggered.values()):
        if order.active_ns >= ts:
            continue
        if not order.live:
            ex.new(order, ts)
        if reference is not None and is_hit(order, reference):
            ex.trigger(order, ts)

"""A bracket: one approved signal's orders on one pair, from the entry until the position is flat.

It holds the entry order(s), the take-profit legs, the exit orders (the stop-loss's market order
and ClosePosition's), how much of the pair this bracket holds, the stop price the handler watches,
and — while an exit is under way — why. ``entries`` and ``exits`` decide; this is the state they
share. The handler keeps one bracket per pair: one position per pair, as the strategy trades.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from galfriday.core.types import ExitReason, Side
from galfriday.execution.order_state import OrderState
from galfriday.portfolio.order_tags import OrderPurpose, OrderTag

ZERO = Decimal(0)


@dataclass(slots=True)
class Bracket:
    signal_id: str
    strategy_id: str
    pair: str
    side: Side  # the entry's side; every exit takes the other one
    qty: Decimal  # the approved entry quantity
    sl: Decimal
    tp: Decimal
    correlation_id: str
    orders: list[OrderState] = field(default_factory=list)
    held: Decimal = ZERO  # filled entries minus filled exits
    exit_reason: ExitReason | None = None  # set while the position is being closed
    exit_tag: OrderTag | None = None  # how the closing order is tagged
    replacement: str | None = None  # a registered market entry waiting for its limit to end
    failed_closes: int = 0  # close orders that ended without filling anything
    take_profit_refused: bool = False  # the venue rejected a leg: placing more would loop
    dust_parked: bool = False  # too little to sell left on its resting take-profit (said once)

    @property
    def exit_side(self) -> Side:
        return self.side.opposite

    @property
    def closing(self) -> bool:
        return self.exit_reason is not None

    def open_orders(self, *purposes: OrderPurpose) -> list[OrderState]:
        """Orders that may still fill, of the given purposes (all when none is given)."""
        return [o for o in self.orders if o.is_open and (not purposes or o.purpose in purposes)]

    @property
    def entry_filled(self) -> Decimal:
        return sum((o.cum_qty for o in self.orders if o.purpose == OrderPurpose.ENTRY), ZERO)

    @property
    def take_profit_cover(self) -> Decimal:
        """How much of the position the open take-profit legs may still sell."""
        return sum((o.leaves_qty for o in self.open_orders(OrderPurpose.TAKE_PROFIT)), ZERO)

    @property
    def is_done(self) -> bool:
        """Flat, nothing working and nothing waiting to be sent: the bracket can be forgotten."""
        return self.held == 0 and self.replacement is None and not self.open_orders()

    def book_fill(self, order: OrderState, qty: Decimal) -> None:
        """A fill of one of this bracket's orders moves what it holds."""
        self.held += qty if order.purpose == OrderPurpose.ENTRY else -qty

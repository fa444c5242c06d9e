"""After a restart: the position and the working orders an earlier process left, as one bracket again.

The ExecutionHandler keeps its brackets in memory. Without this, a position the account still
holds after a crash — and the orders reconciliation found still working — would have no stop
watching it, no take-profit for the part left uncovered, nobody to cancel its orders at shutdown
and nothing for a HALT or the strategy to close. The runtime reads the records
(``app.runtime.takeover``) and hands each pair over as a ``RestoredBracket``;
``ExecutionHandler.take_over`` turns it into an ordinary bracket:

- ``held`` is the position the portfolio starts from (the account's balance);
- each open order comes back with its purpose, its tag registered again (the registry lives in
  memory) and what it has filled; an open exit means the bracket was being closed;
- SL/TP are the signal's (or, when the signal is unknown, the runtime's fallback around the
  average entry price);
- an entry left working gets a fresh timeout, counted from the restart.

Then it is driven like after any event: a position without a take-profit gets one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from galfriday.core.types import ExitReason, Side
from galfriday.execution.order_state import OrderState
from galfriday.portfolio.order_tags import OrderPurpose, OrderTag


@dataclass(frozen=True, slots=True, kw_only=True)
class RestoredBracket:
    pair: str
    signal_id: str
    strategy_id: str
    side: Side  # the entry's side
    qty: Decimal  # the approved entry quantity
    sl: Decimal
    tp: Decimal
    held: Decimal  # what the position holds now
    orders: tuple[OrderState, ...] = ()  # its orders still working, ``purpose`` set


def restored_tag(restored: RestoredBracket, purpose: OrderPurpose) -> OrderTag:
    """The tag an order of ``restored`` was sent with (an exit's reason is lost: MANUAL_CLOSE)."""
    signal, strategy = restored.signal_id, restored.strategy_id
    if purpose is OrderPurpose.ENTRY:
        return OrderTag.entry(signal, strategy)
    if purpose is OrderPurpose.TAKE_PROFIT:
        return OrderTag.take_profit(signal, strategy)
    if purpose is OrderPurpose.STOP_LOSS:
        return OrderTag.stop_loss(signal, strategy)
    return OrderTag.exit(ExitReason.MANUAL_CLOSE, signal, strategy)

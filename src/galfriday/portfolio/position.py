"""One pair's position under average-cost accounting, with fees kept exact in quote currency.

Spot is long-only, but the ledger does not assume it: a fill it did not expect (a manual trade,
a sell of coins held before the system started) must still be booked, so positions are signed
and a fill larger than the position flips it. Losing a fill would be worse than an odd position.

Exactness. All arithmetic runs in ``LEDGER_CONTEXT`` (50 significant digits), in which sums and
products of exchange amounts are exact. The only divisions are the proportional allocations of
cost and fees to the closed part of a position; those are quantised to ``ALLOCATION_QUANTUM``
and the remainder stays on the open part, so nothing is created or lost by rounding:

    cash + Σ cost basis + Σ unallocated entry fees == initial cash + Σ realised P&L (net of fees)

holds exactly after every fill (tested with hypothesis).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal

LEDGER_CONTEXT = Context(prec=50, rounding=ROUND_HALF_EVEN)
ALLOCATION_QUANTUM = Decimal("1e-18")  # far below any currency's smallest unit

ZERO = Decimal(0)


@dataclass(slots=True)
class Position:
    """Signed quantity, its cost basis (Σ units × price, fees excluded) and its entry fees."""

    pair: str
    qty: Decimal = ZERO
    cost: Decimal = ZERO
    open_fees: Decimal = ZERO  # fees paid to open ``qty``, charged to P&L as it is closed
    realized_pnl: Decimal = ZERO  # cumulative, net of every fee allocated to closed units

    @property
    def avg_price(self) -> Decimal:
        return self.cost / self.qty if self.qty else ZERO

    def unrealized_pnl(self, mark: Decimal | None) -> Decimal:
        """Gross of the fees of a future exit; zero without a market price."""
        if mark is None or not self.qty:
            return ZERO
        return self.qty * mark - self.cost


@dataclass(frozen=True, slots=True)
class FillEffect:
    """What one fill did to a position: the units that opened and closed, and the money moved."""

    opened: Decimal  # units (absolute) that opened or increased the position
    closed: Decimal  # units (absolute) that reduced it
    realized: Decimal  # net P&L of the closed units (after their entry and exit fees)
    fee_on_open: Decimal  # the part of this fill's fee paid to open units
    fee_on_close: Decimal  # the part of this fill's fee paid to close units
    qty_before: Decimal
    qty_after: Decimal

    @property
    def flipped(self) -> bool:
        return self.qty_before * self.qty_after < 0


def _share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """``amount × part / whole``, exact when the part is the whole, else quantised."""
    if part == whole:
        return amount
    return LEDGER_CONTEXT.divide(LEDGER_CONTEXT.multiply(amount, part), whole).quantize(
        ALLOCATION_QUANTUM, context=LEDGER_CONTEXT
    )


def apply_units(position: Position, units: Decimal, price: Decimal, fee: Decimal) -> FillEffect:
    """Move ``position`` by signed ``units`` at ``price`` paying ``fee`` (quote); return the effect.

    Must run inside ``localcontext(LEDGER_CONTEXT)`` (``Ledger`` does this for every fill).
    """
    before = position.qty
    if units == 0:  # e.g. a buy whose whole quantity was taken as a base-currency fee
        position.realized_pnl -= fee
        return FillEffect(ZERO, ZERO, -fee, ZERO, fee, before, before)
    if before == 0 or (before > 0) == (units > 0):
        position.qty += units
        position.cost += units * price
        position.open_fees += fee
        return FillEffect(abs(units), ZERO, ZERO, fee, ZERO, before, position.qty)

    held = abs(before)
    size = abs(units)
    closing = min(size, held)
    sign = 1 if before > 0 else -1
    cost_closed = _share(position.cost, closing, held)
    entry_fees = _share(position.open_fees, closing, held)
    exit_fee = _share(fee, closing, size)
    realized = sign * closing * price - cost_closed - entry_fees - exit_fee
    position.qty -= sign * closing
    position.cost -= cost_closed
    position.open_fees -= entry_fees
    position.realized_pnl += realized
    opened = size - closing
    if opened:  # the fill was larger than the position: the rest opens the other way
        flip_units = -sign * opened
        position.qty += flip_units
        position.cost += flip_units * price
        position.open_fees += fee - exit_fee
    return FillEffect(opened, closing, realized, fee - exit_fee, exit_fee, before, position.qty)

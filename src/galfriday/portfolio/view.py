"""What the risk side may read from the portfolio, synchronously (DESIGN §2's one exception).

Pre-trade checks must see the portfolio as it is *now* — an exposure cap checked against a state
one queue behind would let two signals through on the same room — so the RiskManager and the
HaltCoordinator read it through this narrow, read-only protocol instead of events.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from galfriday.portfolio.drawdown import Drawdowns


class PortfolioView(Protocol):
    @property
    def quote_currency(self) -> str: ...

    def equity(self) -> Decimal:
        """Quote cash plus every position at its latest mark (unrealised P&L included)."""
        ...

    def free_balance(self) -> Decimal:
        """Quote cash minus what approved, unfilled entries hold back (taker fee included)."""
        ...

    def reference_price(self, pair: str) -> Decimal | None:
        """The latest mid (book) or close (bar) of ``pair``; None before any market data."""
        ...

    def position_qty(self, pair: str) -> Decimal: ...

    def exposure(self, pair: str) -> Decimal:
        """|position| at its mark plus the notional of approved entries not yet filled."""
        ...

    def total_exposure(self) -> Decimal: ...

    def drawdowns(self) -> Drawdowns: ...

    def open_positions(self) -> dict[str, Decimal]:
        """Pair → signed quantity, for every pair with a position."""
        ...

    def open_entry_orders(self) -> list[tuple[str, str]]:
        """(client_order_id, pair) of every entry order that may still fill."""
        ...

    def approvals_seen(self) -> int:
        """How many ``SignalApproved`` this portfolio has processed since it was created; lets the
        RiskManager count its own approvals the portfolio has not reserved for yet."""
        ...

"""Approvals the portfolio has not reserved cash and exposure for yet.

The RiskManager approves a signal and publishes ``SignalApproved``; the PortfolioManager reserves
for it when that event reaches it, which is later — a queue away on the live bus, after any
signals already queued on the backtest bus. A second signal checked in between must not see the
first one's room as free. So the RiskManager counts its approvals, the portfolio counts the
approvals it has processed (``PortfolioView.approvals_seen``), and the difference — the latest
approvals — is added to the portfolio's figures. The RiskManager is the only publisher of
``SignalApproved``, so both counts describe the same sequence.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class InFlight:
    seq: int
    pair: str
    notional: Decimal
    amount: Decimal  # notional plus fee: what the free balance must cover


class InFlightApprovals:
    def __init__(self) -> None:
        self._items: deque[InFlight] = deque()
        self._issued = 0

    def add(self, pair: str, notional: Decimal, amount: Decimal) -> None:
        self._issued += 1
        self._items.append(InFlight(self._issued, pair, notional, amount))

    def prune(self, seen: int) -> None:
        """Forget approvals the portfolio has processed (its count has reached them)."""
        items = self._items
        while items and items[0].seq <= seen:
            items.popleft()

    def notional(self, pair: str | None = None) -> Decimal:
        return sum((i.notional for i in self._items if pair in (None, i.pair)), ZERO)

    def amount(self) -> Decimal:
        return sum((i.amount for i in self._items), ZERO)

    def __len__(self) -> int:
        return len(self._items)

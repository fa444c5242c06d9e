"""Quote cash committed to approved entries that have not filled yet.

Without this, two signals approved a moment apart would both see the same free cash. A
reservation is made when the PortfolioManager sees ``SignalApproved`` (approved qty at the limit
price, or at the mark for a market entry, plus the taker fee: the worst case), shrinks as the
entry fills (the fill moves the cash in the same step, so the two never double count or miss),
and is released once every entry order of the signal is finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from galfriday.portfolio.position import ZERO


@dataclass(slots=True)
class Reservation:
    pair: str
    qty: Decimal  # still to be bought
    price: Decimal
    fee_rate: Decimal

    @property
    def notional(self) -> Decimal:
        return self.qty * self.price

    @property
    def amount(self) -> Decimal:
        """Quote cash this reservation holds back: notional plus the fee."""
        return self.notional * (1 + self.fee_rate)


class Reservations:
    def __init__(self) -> None:
        self._by_signal: dict[str, Reservation] = {}

    def reserve(self, signal_id: str, reservation: Reservation) -> None:
        self._by_signal[signal_id] = reservation

    def filled(self, signal_id: str, qty: Decimal) -> None:
        reservation = self._by_signal.get(signal_id)
        if reservation is not None:
            reservation.qty = max(ZERO, reservation.qty - qty)

    def release(self, signal_id: str) -> Reservation | None:
        return self._by_signal.pop(signal_id, None)

    def get(self, signal_id: str) -> Reservation | None:
        return self._by_signal.get(signal_id)

    def total_amount(self) -> Decimal:
        return sum((r.amount for r in self._by_signal.values()), ZERO)

    def notional(self, pair: str | None = None) -> Decimal:
        return sum((r.notional for r in self._by_signal.values() if pair in (None, r.pair)), ZERO)

    def items(self) -> list[tuple[str, Reservation]]:
        return list(self._by_signal.items())

    def to_json(self) -> dict[str, Any]:
        return {
            sid: {"pair": r.pair, "qty": str(r.qty), "price": str(r.price), "fee_rate": str(r.fee_rate)}
            for sid, r in self._by_signal.items()
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reservations:
        reservations = cls()
        for sid, r in data.items():
            reservations.reserve(
                sid, Reservation(r["pair"], Decimal(r["qty"]), Decimal(r["price"]), Decimal(r["fee_rate"]))
            )
        return reservations

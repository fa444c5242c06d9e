"""The Decimal ledger: cash per currency, positions at average cost, marks, fees and equity.

Pure bookkeeping, no events: ``PortfolioManager`` feeds it fills and prices and publishes what
changed. Every fill's fee is charged. A fee in the pair's base currency (Kraken charges one when
asked to) is booked as what it is — base units that never reach the account — and valued in quote
at the fill price: a buy of q with fee f in base holds q − f and pays f × price in fees; a sell of
q with fee f in base gives up q + f units and receives q × price. A fee in any other currency
cannot be valued here and is refused before anything changes.

Equity is quote cash plus every position at its latest mark (at cost when there is none yet).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, localcontext

from galfriday.core.errors import GalFridayError
from galfriday.core.instruments import Instrument
from galfriday.core.types import Side
from galfriday.portfolio.position import LEDGER_CONTEXT, ZERO, FillEffect, Position, apply_units

_ADD, _MULTIPLY = LEDGER_CONTEXT.add, LEDGER_CONTEXT.multiply


class LedgerError(GalFridayError):
    """A fill the ledger cannot book without guessing; nothing was changed."""


class Ledger:
    def __init__(self, quote_currency: str, initial_cash: Mapping[str, Decimal] | None = None) -> None:
        self.quote = quote_currency
        self.cash: dict[str, Decimal] = {quote_currency: ZERO}
        self.positions: dict[str, Position] = {}
        self.marks: dict[str, Decimal] = {}
        self.fees_paid = ZERO  # quote, every fee ever charged
        self.net_deposits = ZERO  # quote paid in (initial cash and deposits) minus withdrawals
        for currency, amount in (initial_cash or {}).items():
            self.deposit(currency, amount)

    # -- changes --------------------------------------------------------------------------------

    def deposit(self, currency: str, amount: Decimal) -> None:
        """Cash paid in (negative: withdrawn). Only the quote currency counts towards equity."""
        with localcontext(LEDGER_CONTEXT):
            self.cash[currency] = self.cash.get(currency, ZERO) + amount
            if currency == self.quote:
                self.net_deposits += amount

    def apply_fill(
        self,
        instrument: Instrument,
        side: Side,
        qty: Decimal,
        price: Decimal,
        fee: Decimal,
        fee_currency: str,
    ) -> FillEffect:
        if instrument.quote != self.quote:
            raise LedgerError(
                f"{instrument.symbol} is quoted in {instrument.quote}, the ledger in {self.quote}: "
                "trade only pairs quoted in portfolio.quote_currency"
            )
        if qty <= 0 or price <= 0:
            raise LedgerError(
                f"fill of {qty} @ {price} on {instrument.symbol}: qty and price must be positive"
            )
        with localcontext(LEDGER_CONTEXT):
            if fee_currency == self.quote:
                units, quote_fee = side.sign * qty, fee
            elif fee_currency == instrument.base:
                units, quote_fee = side.sign * qty - fee, fee * price
            else:
                raise LedgerError(
                    f"fill on {instrument.symbol} charged its fee in {fee_currency}, neither base nor quote: "
                    "it cannot be valued; switch the account's fee currency or reconcile by hand"
                )
            position = self.positions.get(instrument.symbol)
            if position is None:
                position = self.positions[instrument.symbol] = Position(instrument.symbol)
            self.cash[self.quote] -= side.sign * qty * price + (fee if fee_currency == self.quote else ZERO)
            self.fees_paid += quote_fee
            return apply_units(position, units, price, quote_fee)

    def mark(self, pair: str, price: Decimal) -> None:
        self.marks[pair] = price

    # -- reads ----------------------------------------------------------------------------------

    @property
    def quote_cash(self) -> Decimal:
        return self.cash[self.quote]

    def position_qty(self, pair: str) -> Decimal:
        position = self.positions.get(pair)
        return ZERO if position is None else position.qty

    def market_value(self, pair: str) -> Decimal:
        """Signed value of the position at its mark, or at cost before the first price."""
        position = self.positions.get(pair)
        if position is None or not position.qty:
            return ZERO
        mark = self.marks.get(pair)
        return position.cost if mark is None else position.qty * mark

    def equity(self) -> Decimal:
        # The context's own methods rather than ``localcontext``: the same operations in the same
        # order (so the same result), without a context switch that costs more than the sum.
        add, multiply, marks = _ADD, _MULTIPLY, self.marks
        held = ZERO
        for pair, position in self.positions.items():
            qty = position.qty
            if qty:
                mark = marks.get(pair)
                held = add(held, position.cost if mark is None else multiply(qty, mark))
            else:
                held = add(held, ZERO)
        return add(self.cash[self.quote], held)

    def unrealized_pnl(self) -> Decimal:
        with localcontext(LEDGER_CONTEXT):
            return sum(
                (pos.unrealized_pnl(self.marks.get(pair)) for pair, pos in self.positions.items()), ZERO
            )

    def realized_pnl(self) -> Decimal:
        with localcontext(LEDGER_CONTEXT):
            return sum((pos.realized_pnl for pos in self.positions.values()), ZERO)

    def open_positions(self) -> dict[str, Decimal]:
        return {pair: pos.qty for pair, pos in self.positions.items() if pos.qty}

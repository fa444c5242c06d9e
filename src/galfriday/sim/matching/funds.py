"""How much an order reserves, and how much of a buy fill the account can pay for.

A sell reserves its base quantity. A buy reserves quote for its quantity at its worst price plus
the taker fee (the higher rate, since it may take): the limit price for limit types, the trigger
price for a stop-loss/take-profit, the current best ask (or last trade, or last bar close) for a
market order, and nothing while no price is known. A fill that costs more than its order holds (a
market order or a stop that gapped) pays the difference from the available balance; if even that
is short, the fill is cut to what the account can pay and the rest of the order is canceled with
``EOrder:Insufficient funds``. Balances therefore never go negative.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from galfriday.core.instruments import Instrument, round_to_increment
from galfriday.core.types import Side
from galfriday.sim.matching.fees import fee_for
from galfriday.sim.matching.money import EXACT
from galfriday.sim.matching.orders import OrderRequest

ZERO = Decimal(0)


def reservation(
    request: OrderRequest, instrument: Instrument, price: Decimal | None, fee_quantum: Decimal
) -> tuple[str, Decimal]:
    """(asset, amount) to hold for ``request`` expected to trade at ``price``."""
    if request.side is Side.SELL:
        return instrument.base, request.qty
    if price is None:
        return instrument.quote, ZERO
    cost = EXACT.multiply(request.qty, price)
    return instrument.quote, EXACT.add(cost, fee_for(cost, instrument.taker_fee, fee_quantum))


def affordable_qty(
    payable: Decimal, price: Decimal, rate: Decimal, lot: Decimal, fee_quantum: Decimal
) -> Decimal:
    """Largest on-lot quantity whose cost plus fee at ``price`` fits in ``payable``."""
    qty = round_to_increment(payable / (price * (1 + rate)), lot, ROUND_DOWN)
    while qty > 0:
        cost = EXACT.multiply(qty, price)
        if EXACT.add(cost, fee_for(cost, rate, fee_quantum)) <= payable:
            return qty
        qty -= lot
    return ZERO

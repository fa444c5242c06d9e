"""Trading fees: who pays which rate, and how the amount is rounded.

Rule (Kraken's, and every exchange's): whoever rested on the book first is the maker. An order
that takes liquidity when it reaches the book pays the taker rate; a resting order that is later
crossed pays the maker rate. Rates come from the instrument (maker 0.16 %, taker 0.26 % until
TradeVolume says otherwise). The fee is charged in the quote currency.

Rounding: ``cost * rate`` rounded UP to ``fee_decimals`` places (Kraken's AssetPairs
``cost_decimals``, 5 for the USD pairs), so the simulated account never pays less than the exact
fee. Kraken does not document its rounding; the one real Kraken fill in our shared data (ccxt's
recorded LTC/USDT market buy: cost 7.105741 at 0.26 % = 0.0184749266, fee charged 0.018475) is
consistent with it. A dust fill whose rounded-up fee would exceed its cost pays its cost, so a sell
can never yield negative proceeds.
"""

from __future__ import annotations

from decimal import ROUND_UP, Decimal

from galfriday.sim.matching.money import EXACT


def fee_quantum(fee_decimals: int) -> Decimal:
    return Decimal(1).scaleb(-fee_decimals)


def fee_for(cost: Decimal, rate: Decimal, quantum: Decimal) -> Decimal:
    """Fee in quote currency for a fill of notional ``cost`` at ``rate`` (see module docstring)."""
    fee = EXACT.multiply(cost, rate).quantize(quantum, rounding=ROUND_UP)
    return fee if fee <= cost else cost

"""Exits: take-profit legs on the exchange, the stop-loss kept here, client-side OCO and closes.

Why the stop-loss is not an exchange order. On Kraken spot every open order holds its funds: a
resting sell holds the base it may sell, trigger orders included (the shared fill model,
``sim.matching.funds``, does the same). A stop-loss and a take-profit each sized to the position
would need twice the coins, and the second would be refused with ``EOrder:Insufficient funds``.
So only the take-profit rests on the exchange — a LIMIT sell at the TP price, which earns the maker
fee — and the stop is held here and fires on the price a Kraken stop-loss watches
(``stop_watch``). The two form a client-side OCO:
- a take-profit fill reduces what the stop protects (the stop always covers exactly what the
  bracket holds), and a complete one leaves nothing to protect: the stop is gone with the bracket;
- the stop firing cancels the take-profit legs (their holds must be released before the coins can
  be sold) and, once every leg has ended, sells what is still held at market, tagged stop_loss.
The stop never rests at the exchange, so it needs the process alive and market data flowing;
both are already conditions for trading (the dead-man switch cancels every order ~60 s after the
process dies, and stale data HALTs).

Adjusting to partial entry fills: *additional legs*, not cancel-replace. Each time the position
grows beyond what open take-profit legs cover by at least the exchange minimum (``ordermin`` and
``costmin`` at the TP price), one more leg is placed for the uncovered quantity. Cancel-replace
would leave the position without a take-profit between the cancel and the replacement (the old
leg's hold must be released first), and Kraken charges up to 8 rate-counter points for
cancelling an order younger than 5 s — entry fills arrive seconds apart. A part below the minimum
waits for the next fill; the stop covers it meanwhile.

Closing (a ``ClosePosition`` from the strategy or HALT, or the stop): cancel the entry and every
leg, wait until all have ended (fills may still arrive), then sell what is held at market. One
close per bracket at a time; a second request while one is under way is ignored. A close order
that ends without filling anything (rejected, or canceled empty) gives up: the bracket is no longer
closing and whoever asked may ask again; the stop fires again on the next price beyond it, but
after ``MAX_FAILED_CLOSES`` failures in a row it stops firing by itself (a venue that refuses
every exit would otherwise be asked on every market event) and only ``ClosePosition`` closes.
A take-profit leg the venue rejects is not placed again for that bracket, for the same reason.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal

from galfriday.core.instruments import Instrument
from galfriday.core.types import ExitReason, OrderStatus, OrderType
from galfriday.execution.bracket import Bracket
from galfriday.execution.order_state import OrderState
from galfriday.execution.sender import OrderSender
from galfriday.execution.stop_watch import PriceRange, stop_reached
from galfriday.portfolio.order_tags import OrderPurpose, OrderTag

logger = logging.getLogger(__name__)

_CLOSE_PURPOSES = (OrderPurpose.STOP_LOSS, OrderPurpose.EXIT)
MAX_FAILED_CLOSES = 3


class Exits:
    def __init__(self, instruments: Mapping[str, Instrument], sender: OrderSender) -> None:
        self._instruments = instruments
        self._sender = sender

    def drive(self, bracket: Bracket, reference: Decimal) -> None:
        """Do whatever the bracket's state calls for now (idempotent: safe after any event)."""
        if bracket.closing:
            self._close(bracket, reference)
        else:
            self._cover_with_take_profit(bracket)

    def check_stop(self, bracket: Bracket, seen: PriceRange) -> bool:
        """Fire the stop if the market reached it; True when it fired."""
        if bracket.held <= 0 or bracket.closing or bracket.failed_closes >= MAX_FAILED_CLOSES:
            return False
        if not stop_reached(bracket.side, bracket.sl, seen):
            return False
        logger.info(
            "%s: stop-loss %s reached (reference %s..%s): closing %s",
            bracket.pair,
            bracket.sl,
            seen[0],
            seen[1],
            bracket.held,
            extra={"correlation_id": bracket.correlation_id},
        )
        tag = OrderTag.stop_loss(bracket.signal_id, bracket.strategy_id)
        self.start_close(bracket, ExitReason.SL_HIT, tag)
        return True

    def start_close(self, bracket: Bracket, reason: ExitReason, tag: OrderTag) -> bool:
        """Begin closing; False (and nothing changes) when a close is already under way."""
        if bracket.closing:
            return False
        bracket.exit_reason, bracket.exit_tag = reason, tag
        return True

    def order_ended(self, bracket: Bracket, order: OrderState) -> None:
        """An exit-side order ended: note a rejected leg, and give up a close that filled nothing."""
        if order.purpose == OrderPurpose.TAKE_PROFIT and order.status is OrderStatus.REJECTED:
            logger.error(
                "%s: take-profit leg %s rejected (%s); no more legs for this position, the stop still "
                "protects it",
                bracket.pair,
                order.client_order_id,
                order.reason,
                extra={"correlation_id": bracket.correlation_id},
            )
            bracket.take_profit_refused = True
        if order.purpose not in _CLOSE_PURPOSES:
            return
        if order.cum_qty > 0:
            bracket.failed_closes = 0
            return
        bracket.failed_closes += 1
        logger.warning(
            "%s: close order %s ended unfilled (%s: %s), %d in a row; %s is still held",
            bracket.pair,
            order.client_order_id,
            order.status,
            order.reason,
            bracket.failed_closes,
            bracket.held,
            extra={"correlation_id": bracket.correlation_id},
        )
        bracket.exit_reason = bracket.exit_tag = None

    # -- internals ------------------------------------------------------------------------------

    def _park_dust_on_take_profit(self, bracket: Bracket, reference: Decimal) -> bool:
        """Less than the exchange minimum is held and a take-profit still rests on it: canceling
        that leg would strand coins no order may sell, so the leg keeps working instead."""
        resting = bracket.open_orders(OrderPurpose.TAKE_PROFIT)
        if not resting or any(o.cancel_pending for o in resting) or bracket.open_orders(*_CLOSE_PURPOSES):
            return False
        instrument = self._instruments[bracket.pair]
        if instrument.round_qty(bracket.held) >= instrument.min_qty_for_price(reference):
            return False
        if not bracket.dust_parked:
            bracket.dust_parked = True
            logger.warning(
                "%s: %s left is below the exchange minimum and cannot be sold at market; it stays on "
                "its resting take-profit %s instead of being stranded (%s)",
                bracket.pair,
                bracket.held,
                resting[0].client_order_id,
                bracket.exit_reason,
                extra={"correlation_id": bracket.correlation_id},
            )
        return True

    def _cover_with_take_profit(self, bracket: Bracket) -> None:
        if bracket.held <= 0 or bracket.take_profit_refused:
            return
        if any(o.cancel_pending for o in bracket.open_orders(OrderPurpose.TAKE_PROFIT)):
            return  # a leg being canceled still holds its coins: place nothing until it has ended
        instrument = self._instruments[bracket.pair]
        uncovered = instrument.round_qty(max(bracket.held - bracket.take_profit_cover, Decimal(0)))
        if not uncovered or uncovered < instrument.min_qty_for_price(bracket.tp):
            return
        tag = OrderTag.take_profit(bracket.signal_id, bracket.strategy_id)
        self._sender.submit(
            bracket, OrderPurpose.TAKE_PROFIT, tag, OrderType.LIMIT, uncovered, limit_price=bracket.tp
        )

    def _close(self, bracket: Bracket, reference: Decimal) -> None:
        assert bracket.exit_tag is not None  # set together with exit_reason
        if bracket.exit_tag.purpose is OrderPurpose.STOP_LOSS:
            why = "oco: stop-loss triggered"
        else:
            why = f"closing ({bracket.exit_reason})"
        if self._park_dust_on_take_profit(bracket, reference):
            return
        waiting = False
        for order in bracket.open_orders():
            if order.purpose in _CLOSE_PURPOSES:
                return  # the close order is working: wait for it
            self._sender.cancel(order, why)
            waiting = True
        if waiting or bracket.replacement is not None or bracket.held <= 0:
            return  # holds are released (and late fills known) only once every order has ended
        instrument = self._instruments[bracket.pair]
        qty = instrument.round_qty(bracket.held)
        minimum = instrument.min_qty_for_price(reference)
        if qty < minimum:
            logger.error(
                "%s: %s left after the exit is below the exchange minimum %s and cannot be sold; "
                "the bracket is given up: sell the dust by hand or let a later position absorb it",
                bracket.pair,
                bracket.held,
                minimum,
                extra={"correlation_id": bracket.correlation_id},
            )
            bracket.held = Decimal(0)
            return
        purpose = bracket.exit_tag.purpose
        self._sender.submit(bracket, purpose, bracket.exit_tag, OrderType.MARKET, qty)

"""The Venue port: where orders go — Kraken live, or the simulated venue of paper trading and
backtests (DESIGN §1: the kernel is given a Venue and never knows which).

A venue takes the two order commands and answers with order events through the ``publish``
callable it was built with. The contract every venue keeps, and the kernel relies on:

- Every ``SubmitOrder`` gets exactly one of ``OrderAccepted`` (with the exchange's order id) or
  ``OrderRejected`` (``reason`` is the exchange's error string, e.g. ``EOrder:Insufficient funds``).
- An accepted order then gets zero or more ``OrderFilled`` (``fill_id`` = the exchange's trade id,
  unique per venue; ``cum_qty``/``leaves_qty`` after this fill) and ends in exactly one terminal
  event: ``OrderFilled`` with ``leaves_qty == 0``, ``OrderCanceled`` (with the exchange's reason;
  also for a post-only order refused after acceptance) or ``OrderExpired``.
- Every report carries the command's ``client_order_id``, ``pair`` and ``correlation_id``.
- A ``CancelOrder`` for an order that has already ended, or that the venue does not know, changes
  nothing and publishes nothing: the order's own terminal event says how it ended. Repeating a
  cancel is harmless (the HALT coordinator and the ExecutionHandler may both cancel an entry).
- The commands of one order are carried out in the order they were published: a venue that
  subscribes on the live bus subscribes once to ``Command`` (one queue), so a cancel cannot
  overtake the submit it cancels.
- Reports may repeat (a reconnect replays recent fills); consumers deduplicate fills by ``fill_id``.

``submit``/``cancel`` may be coroutines (a network venue awaits its send); a forwarder such as the
write-ahead order journal (``storage.recorders.orders``) awaits them when they are. ``attach``
subscribes the venue to the commands (and, for a simulated venue, to the market data it fills on).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Protocol

from galfriday.core.events import CancelOrder, SubmitOrder


class Venue(Protocol):
    def submit(self, command: SubmitOrder) -> Awaitable[None] | None:
        """Send an order; what happens to it is reported as events."""
        ...

    def cancel(self, command: CancelOrder) -> Awaitable[None] | None:
        """Ask for an order to be canceled; the answer is its terminal event."""
        ...

    def attach(self, bus: Any) -> None:
        """Subscribe to ``Command`` (``SubmitOrder``/``CancelOrder``) and whatever else it needs."""
        ...


#: Reason prefix of an ``OrderRejected`` that the system itself produced without asking a venue
#: (e.g. a signal arriving while halted). Such refusals say nothing about the exchange's health,
#: so the API-error HALT trigger ignores them.
LOCAL_REJECTION_PREFIX = "execution: "


def is_local_rejection(reason: str) -> bool:
    return reason.startswith(LOCAL_REJECTION_PREFIX)

"""What a Kraken failure means for an order, in one table: who is told, and whether it counts.

The API-error HALT trigger (``risk.triggers.api_errors``) counts every ``OrderRejected`` whose
reason lacks ``core.venue.LOCAL_REJECTION_PREFIX`` — as a failed order *and* as an API error —
and anything reported through ``record_api_error``. So each failure is reported through one of
the two, not both (the one exception, an unknown outcome later found not placed, comes after the
HALT it caused):

================================================  ==========================  ===================
failure of AddOrder                               the order's event           counted as
================================================  ==========================  ===================
``EOrder:...`` (insufficient funds, invalid       ``OrderRejected`` with      failed order +
price, ``EOrder:Rate limit exceeded``, ...),      Kraken's string             API error (trigger)
``EGeneral:Invalid arguments``, ``EAPI:...``,
permission / lockout: Kraken refused it
circuit breaker open: Kraken kept failing,        ``OrderRejected``           failed order +
nothing sent                                      ``kraken: circuit open…``   API error (trigger)
not placed after a lost reply (5xx, timeout),     ``OrderRejected``           failed order +
settled by ``add_order_safely``                   ``kraken: not placed…``     API error (trigger)
client-side trading counter has no room,          ``OrderRejected`` with      not counted (local:
the order cannot be expressed (tick, lot), an     ``execution: …``            Kraken is healthy,
unknown pair: nothing sent                        (LOCAL_REJECTION_PREFIX)    we refused)
outcome unknown (look-ups failed too, and the     none yet: HALT, resolve     ``record_api_error``
stream did not show the order)                    in the background           (and its eventual
                                                                              rejection, if any)
================================================  ==========================  ===================

Nothing here is retried blindly: AddOrder never is (a lost reply is settled by ``cl_ord_id``),
and an ``EOrder:Rate limit exceeded`` saturates the pair's client-side counter, so the next order
waits for room instead of being refused again. Read calls retry on ``EAPI:Rate limit exceeded`` /
``EService:Throttled`` / ``EService:Unavailable`` inside ``KrakenPrivateClient`` (waiting on the
REST counter); after their retries they are API errors (``record_api_error``).

Cancels are safe to repeat (a cancel of an order that already ended answers
``EOrder:Unknown order``), so a cancel that failed for a transient reason is sent again by the
venue, and each failed attempt is an API error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from galfriday.core.venue import LOCAL_REJECTION_PREFIX
from galfriday.kraken.circuit_breaker import CircuitOpenError
from galfriday.kraken.orders_wire import InvalidOrderError
from galfriday.kraken.rest_private import KrakenOrderRejectedError
from galfriday.kraken.rest_public import KrakenAPIError, KrakenError
from galfriday.kraken.trading_limits import TradingRateLimitError

UNKNOWN_ORDER = "EOrder:Unknown order"


class HaltPort(Protocol):
    """The two doors into the HALT coordinator (``risk.halt.HaltCoordinator``) adapters use."""

    def record_api_error(self, detail: str) -> None: ...

    def fire(self, trigger: str, reason: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an order was not placed: the ``OrderRejected`` reason and whether we refused it."""

    reason: str
    local: bool


def add_order_refusal(exc: Exception) -> Refusal | None:
    """The refusal an AddOrder exception stands for; None when it says nothing about placement."""
    if isinstance(exc, KrakenAPIError):
        return Refusal(", ".join(exc.errors) or str(exc), local=False)
    if isinstance(exc, CircuitOpenError):
        return Refusal(f"kraken: circuit open, order not sent ({exc})", local=False)
    if isinstance(exc, TradingRateLimitError | InvalidOrderError):
        return Refusal(f"{LOCAL_REJECTION_PREFIX}{exc}", local=True)
    return None


def is_unknown_order(exc: Exception) -> bool:
    """A cancel for an order Kraken no longer has open: it already ended, nothing to do."""
    return isinstance(exc, KrakenOrderRejectedError) and any(e.startswith(UNKNOWN_ORDER) for e in exc.errors)


def is_transient(exc: Exception) -> bool:
    """A failure after which sending the same cancel again may succeed."""
    if isinstance(exc, KrakenOrderRejectedError):
        return "Rate limit" in str(exc)
    return isinstance(exc, KrakenError | CircuitOpenError | TradingRateLimitError)

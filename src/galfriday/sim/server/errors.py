"""Kraken's error strings the exchange simulator answers with, and the exception that carries one.

Kraken reports every failure as a string ``"E<Category>:<message>"`` in the response's ``error``
list (REST) or ``error`` field (WS v2). Handlers raise ``ExchangeError`` with the exact string;
the transport layer puts it on the wire unchanged, so clients see what Kraken would send. Order
rejections reuse the matching engine's strings (``sim.matching.reasons``).
"""

from __future__ import annotations

from galfriday.sim.matching import reasons

INVALID_ARGUMENTS = reasons.INVALID_ARGUMENTS
INVALID_KEY = "EAPI:Invalid key"
INVALID_SIGNATURE = "EAPI:Invalid signature"
INVALID_NONCE = "EAPI:Invalid nonce"
RATE_LIMIT = "EAPI:Rate limit exceeded"
ORDER_RATE_LIMIT = "EOrder:Rate limit exceeded"
ORDERS_LIMIT = "EOrder:Orders limit exceeded"
UNKNOWN_ORDER = "EOrder:Unknown order"
INVALID_ORDER = "EOrder:Invalid order"
DEADLINE_ELAPSED = "EOrder:Deadline elapsed"
UNKNOWN_PAIR = "EQuery:Unknown asset pair"
UNKNOWN_METHOD = "EGeneral:Unknown method"
SERVICE_UNAVAILABLE = "EService:Unavailable"
INVALID_SESSION = "ESession:Invalid session"


def invalid_argument(field: str) -> str:
    """Kraken's form for one bad parameter: ``EGeneral:Invalid arguments:<field>``."""
    return f"{INVALID_ARGUMENTS}:{field}"


class ExchangeError(Exception):
    """A request the exchange refuses; ``error`` is the exact Kraken string for the wire.

    ``detail`` is for logs only (Kraken's strings are terse); it never reaches the client.
    """

    def __init__(self, error: str, detail: str = "") -> None:
        self.error = error
        self.detail = detail
        super().__init__(f"{error} ({detail})" if detail else error)

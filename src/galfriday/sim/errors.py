"""Errors raised by the simulation package; every message says what to do next."""

from __future__ import annotations

from galfriday.core.errors import GalFridayError


class SimError(GalFridayError):
    """Misuse of the fill model, the market generator or a replay (bad config, bad input data)."""


class UnknownOrderError(SimError):
    """A cancel named an order that is not open; ``kraken_error`` is what Kraken answers."""

    kraken_error = "EOrder:Unknown order"

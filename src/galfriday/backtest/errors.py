"""The backtest's own errors: bad inputs (data, pairs, settings that cannot run) named with the fix."""

from __future__ import annotations

from galfriday.core.errors import GalFridayError


class BacktestError(GalFridayError):
    """A backtest cannot start or its result cannot be trusted; the message says what to do next."""

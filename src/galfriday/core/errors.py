"""Exception hierarchy: every error the system raises on purpose derives from GalFridayError."""

from __future__ import annotations


class GalFridayError(Exception):
    """Base class for deliberate errors; the message says what to do next."""


class ConfigError(GalFridayError):
    """The configuration is missing, malformed or invalid."""


class InstrumentError(GalFridayError):
    """A price or quantity does not fit the instrument's tick, lot or minimums."""


class BusError(GalFridayError):
    """Misuse of the event bus (e.g. an async handler on the synchronous bus)."""


class ClockError(GalFridayError):
    """Misuse of a clock (e.g. moving simulated time backwards)."""


class StorageError(GalFridayError):
    """The database or time-series store is unreachable or rejected a write."""

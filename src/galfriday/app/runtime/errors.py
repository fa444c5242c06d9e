"""Why a session did not start, or did not stop cleanly; each message says what to do next."""

from __future__ import annotations

from galfriday.core.errors import GalFridayError


class StartRefused(GalFridayError):
    """The session will not trade: a precondition failed (an exchange mismatch, a missing module)."""


class ShutdownIncomplete(GalFridayError):
    """Shutdown finished, but something could not be written or canceled; the message says what."""

"""What a notification channel is, and how a failed delivery says whether to try again.

A channel formats an ``Alert`` for one service and sends it; it never retries, rate-limits or
de-duplicates (the ``AlertManager`` does that the same way for all of them). Error messages name
the channel and what went wrong but never its URL, token or password.
"""

from __future__ import annotations

from typing import Protocol

from galfriday.core.errors import GalFridayError
from galfriday.monitoring.alerting.alert import Alert


class DeliveryError(GalFridayError):
    """An alert did not reach its service. ``retryable``: waiting may help (network, 5xx, 429)."""

    def __init__(self, message: str, *, retryable: bool, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after_s = retry_after_s


class Channel(Protocol):
    name: str

    async def send(self, alert: Alert) -> None:
        """Deliver ``alert`` or raise ``DeliveryError``."""
        ...

    async def close(self) -> None: ...

"""Errors of the time-series store, split by what the caller should do about them.

- ``SchemaError``: a point or query does not fit ``schema.py`` — a bug in the caller; fix the call.
- ``StoreUnavailableError``: the store could not be reached or is overloaded — retry later.
- ``WriteRejectedError``: the store refused the data or the credentials — retrying will not help.
The buffered writer retries only the second kind, so an outage loses nothing and a bad batch
cannot wedge the queue.
"""

from __future__ import annotations

from galfriday.core.errors import StorageError


class SchemaError(StorageError, ValueError):
    """A point or query names an unknown measurement, tag or field, or a value of the wrong type."""


class StoreUnavailableError(StorageError):
    """The store is unreachable, timed out or asked us to back off; the write can be retried."""

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class WriteRejectedError(StorageError):
    """The store refused the write (bad data, unknown database, bad credentials); do not retry.

    ``points_rejected`` is how many points of the request were lost when the store says so
    (InfluxDB's "partial write … dropped=N"); None means the whole request.
    """

    def __init__(self, message: str, *, points_rejected: int | None = None) -> None:
        super().__init__(message)
        self.points_rejected = points_rejected

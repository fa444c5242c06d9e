"""Log-record factories for the monitoring tests."""

from __future__ import annotations

import logging
from typing import Any


def make_record(
    msg: object,
    *args: object,
    level: int = logging.INFO,
    extra: dict[str, Any] | None = None,
    exc: BaseException | None = None,
    created: float | None = None,
) -> logging.LogRecord:
    """A record built the way ``Logger.info(msg, *args, extra=..., exc_info=...)`` builds one."""
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    record = logging.getLogger("galfriday.test").makeRecord(
        "galfriday.test", level, __file__, 1, msg, args, exc_info, extra=extra
    )
    if created is not None:
        record.created = created
    return record


def raised(exc: BaseException) -> BaseException:
    """``exc`` after being raised and caught, so it carries a real traceback."""
    try:
        raise exc
    except BaseException as caught:
        return caught

"""Timestamps in the three spellings Kraken uses: RFC3339 (WS v2), RFC1123 (REST Time), unix s.

Integer arithmetic from ns throughout, so a timestamp written and parsed back
(``kraken.ws_schemas.rfc3339_to_ns``) is exact to the microsecond.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal

NS_PER_S = 1_000_000_000


def rfc3339(ns: int) -> str:
    """``2023-07-30T15:29:58.343415Z`` (microseconds, as Kraken's WS v2 writes them)."""
    seconds, rest = divmod(ns, NS_PER_S)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{stamp}.{rest // 1000:06d}Z"


def rfc3339_seconds(ns: int) -> str:
    """``2023-03-24T17:41:56Z`` (CancelAllOrdersAfter, SystemStatus)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ns // NS_PER_S))


def rfc1123(ns: int) -> str:
    """``Tue, 11 Nov 25 00:17:04 +0000`` (the REST ``Time`` endpoint's format)."""
    return datetime.fromtimestamp(ns // NS_PER_S, UTC).strftime("%a, %d %b %y %H:%M:%S +0000")


def unix_seconds(ns: int, decimals: int = 4) -> Decimal:
    """Unix time in seconds with ``decimals`` places, exact (Kraken's ``opentm``/``time`` fields)."""
    return (Decimal(ns) / NS_PER_S).quantize(Decimal(1).scaleb(-decimals))

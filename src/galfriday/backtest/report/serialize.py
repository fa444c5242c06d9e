"""Plain, JSON-ready values for the report files: exact money as text, times as UTC ISO-8601.

Decimals are written as their exact text (never through a float), floats as the shortest text that
reads back to the same number, and a missing ratio as null — so the same result always serialises
to the same bytes.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from galfriday.backtest.metrics import monthly_returns
from galfriday.backtest.result import BacktestResult

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def iso(ts_ns: int) -> str:
    """Epoch ns as UTC ISO-8601 (microseconds only when there are any), computed exactly."""
    moment = _EPOCH + timedelta(microseconds=ts_ns // 1000)
    return moment.isoformat().replace("+00:00", "Z")


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def summary(result: BacktestResult) -> dict[str, Any]:
    """Everything but the row tables: metadata, metrics, fingerprint, signals, HALTs, open positions."""
    meta = asdict(result.meta)
    meta["first_event"] = iso(result.meta.first_event_ns)
    meta["last_event"] = iso(result.meta.last_event_ns)
    return plain(
        {
            "meta": meta,
            "metrics": asdict(result.metrics),
            "fingerprint": result.fingerprint,
            "signals": asdict(result.signals),
            "orders": len(result.orders),
            "fills": len(result.fills),
            "open_positions": [
                asdict(p) | {"entry_time": iso(p.entry_time_ns)} for p in result.open_positions
            ],
            "halts": [asdict(h) | {"time": iso(h.ts_ns)} for h in result.halts],
            "handler_failures": list(result.failures),
            "monthly_returns_pct": [
                {"year": y, "month": m, "return_pct": r * 100} for y, m, r in monthly_returns(result.equity)
            ],
        }
    )

"""JSON views of the session for the control API: status, the HALT record and its checklist.

Money stays exact as decimal strings (the dashboard and CLI print them as they are); times are
given both as ISO-8601 UTC and as the nanoseconds the system keeps.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from galfriday.core.events import PortfolioSnapshotTaken
from galfriday.core.types import SystemState
from galfriday.monitoring.session_status import RuntimeStatus
from galfriday.risk.halt_record import CHECKLIST_ITEMS, HaltRecord

CHECKLIST_HELP: dict[str, str] = {
    "reason_reviewed": "The HALT trigger and its reason are understood.",
    "market_ok": "Market data is flowing and the market is tradable again.",
    "positions_reconciled": "The ledger matches the exchange's positions and open orders.",
    "api_ok": "The exchange API answers without errors.",
    "balance_ok": "Balances match and cover the configured risk.",
    "risk_parameters_reviewed": "Risk limits are still right for the market (or changed and reloaded).",
    "confirm": "You confirm all of the above and want trading to resume.",
}


def iso(ts_ns: int) -> str:
    return datetime.fromtimestamp(ts_ns / 1e9, UTC).isoformat().replace("+00:00", "Z")


def checklist_json(record: HaltRecord) -> list[dict[str, Any]]:
    items = []
    for item in CHECKLIST_ITEMS:
        done = record.checklist.get(item)
        items.append(
            {
                "item": item,
                "description": CHECKLIST_HELP.get(item, ""),
                "done": done is not None,
                "by": done.by if done else None,
                "at": iso(done.at_ns) if done else None,
                "note": done.note if done else None,
            }
        )
    return items


def halt_json(record: HaltRecord) -> dict[str, Any]:
    return {
        "halt_id": record.halt_id,
        "trigger": record.trigger,
        "reason": record.reason,
        "behaviour": record.behaviour.value,
        "triggered_at": iso(record.triggered_at_ns),
        "triggered_at_ns": record.triggered_at_ns,
        "later_triggers": [
            {"trigger": t.trigger, "reason": t.reason, "at": iso(t.at_ns)} for t in record.later_triggers
        ],
        "checklist": checklist_json(record),
        "missing_items": list(record.missing_items),
    }


def portfolio_json(snapshot: PortfolioSnapshotTaken) -> dict[str, Any]:
    return {
        "equity": str(snapshot.equity),
        "cash": str(snapshot.cash),
        "available_balance": str(snapshot.available_balance),
        "exposure_pct": snapshot.exposure_pct,
        "drawdowns": {
            "daily": snapshot.daily_drawdown_pct,
            "weekly": snapshot.weekly_drawdown_pct,
            "total": snapshot.total_drawdown_pct,
        },
        "positions": [
            {
                "pair": p.pair,
                "qty": str(p.qty),
                "avg_price": str(p.avg_price),
                "market_price": str(p.market_price),
                "unrealized_pnl": str(p.unrealized_pnl),
            }
            for p in snapshot.positions
        ],
    }


def status_json(
    status: RuntimeStatus, portfolio: PortfolioSnapshotTaken, halt: HaltRecord | None
) -> dict[str, Any]:
    # The coordinator is the authority on HALT; the state event may still be on its way to the status.
    state = SystemState.HALTED if halt is not None else status.system_state
    unrealized = sum((p.unrealized_pnl for p in portfolio.positions), Decimal(0))
    return {
        "mode": status.mode,
        "system_state": state.value,
        "config_hash": status.config_hash,
        "started_at": iso(status.started_at_ns),
        "uptime_s": round(status.uptime_s, 3),
        "open_orders": status.open_orders,
        "trades_closed": status.trades_closed,
        "halt": halt_json(halt) if halt is not None else None,
        "portfolio": portfolio_json(portfolio),
        "pnl": {"realized_session": str(status.realized_pnl_session), "unrealized": str(unrealized)},
    }

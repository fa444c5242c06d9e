"""Persist portfolio snapshots (``portfolio_snapshots`` + the ``portfolio_metrics`` measurement),
and rebuild a portfolio state from the latest snapshot after a restart.

An adapter, not a trading module: it imports the storage layer, and the trading kernel only
publishes ``PortfolioSnapshotTaken``. Writes go through a ``WriteBehind`` (relational) and the
time-series writer's non-blocking ``submit`` (metrics), so neither ever delays a handler.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from galfriday.core.events import PortfolioSnapshotTaken
from galfriday.portfolio.drawdown import day_start_ns, week_start_ns
from galfriday.portfolio.state import STATE_VERSION
from galfriday.storage.db.records import NewPortfolioSnapshot, PortfolioSnapshotRecord
from galfriday.storage.db.repositories import PortfolioSnapshotRepository
from galfriday.storage.recorders.write_behind import WriteBehind, utc_datetime, utc_ns
from galfriday.storage.timeseries.point import Point

SubmitPoint = Callable[[Point], bool]


class PortfolioSnapshotRecorder:
    """Subscribes to ``PortfolioSnapshotTaken``; writes the row and the metrics point."""

    def __init__(
        self,
        repository: PortfolioSnapshotRepository,
        *,
        submit_point: SubmitPoint | None = None,
        account_id: str = "default",
    ) -> None:
        self._repository = repository
        self._submit_point = submit_point
        self._account_id = account_id
        self.queue = WriteBehind("portfolio-snapshots")

    def attach(self, bus: Any) -> None:
        bus.subscribe(PortfolioSnapshotTaken, self.on_snapshot, name="portfolio.snapshot-recorder")

    def on_snapshot(self, event: PortfolioSnapshotTaken) -> None:
        record = snapshot_record(event)
        self.queue.submit(lambda: self._insert(record))
        if self._submit_point is not None:
            self._submit_point(metrics_point(event, self._account_id))

    async def _insert(self, record: NewPortfolioSnapshot) -> None:
        await self._repository.insert(record)


def snapshot_record(event: PortfolioSnapshotTaken) -> NewPortfolioSnapshot:
    return NewPortfolioSnapshot(
        snapshot_timestamp=utc_datetime(event.ts_event),
        total_equity=event.equity,
        available_balance=event.available_balance,
        total_exposure_pct=event.exposure_pct,
        daily_drawdown_pct=event.daily_drawdown_pct,
        weekly_drawdown_pct=event.weekly_drawdown_pct,
        total_drawdown_pct=event.total_drawdown_pct,
        positions=[
            {
                "pair": p.pair,
                "qty": str(p.qty),
                "entry_price": str(p.avg_price),
                "market_price": str(p.market_price),
                "market_value": str(p.qty * p.market_price),
                "unrealized_pnl": str(p.unrealized_pnl),
            }
            for p in event.positions
        ],
    )


def metrics_point(event: PortfolioSnapshotTaken, account_id: str) -> Point:
    fields: dict[str, float] = {
        "total_equity": float(event.equity),
        "available_balance": float(event.available_balance),
        "unrealized_pnl": float(sum((p.unrealized_pnl for p in event.positions), Decimal(0))),
        "total_exposure_pct": event.exposure_pct,
        "daily_drawdown_pct": event.daily_drawdown_pct,
        "weekly_drawdown_pct": event.weekly_drawdown_pct,
        "total_drawdown_pct": event.total_drawdown_pct,
    }
    for p in event.positions:
        fields[f"position_qty_{p.pair}"] = float(p.qty)
        fields[f"position_value_{p.pair}"] = float(p.qty * p.market_price)
    return Point("portfolio_metrics", {"account_id": account_id}, fields, event.ts_event)


def state_from_snapshot(record: PortfolioSnapshotRecord, quote_currency: str) -> dict[str, Any]:
    """A ``PortfolioManager.from_state`` state rebuilt from a snapshot row.

    The fallback when no saved state exists: cash is equity minus the positions' market value,
    positions keep their quantity and average price, and the drawdown peaks are recovered from the
    recorded drawdowns. What a snapshot does not hold starts from zero — realised P&L, fees paid,
    the entry fees of open positions. Then ``replay`` the fills recorded after the snapshot.
    """
    at_ns = utc_ns(record.snapshot_timestamp)
    equity = record.total_equity
    positions: dict[str, Any] = {}
    marks: dict[str, str] = {}
    market_value = Decimal(0)
    for p in record.positions:
        qty, entry = Decimal(p["qty"]), Decimal(p["entry_price"])
        value = Decimal(p["market_value"])
        market_value += value
        positions[p["pair"]] = {
            "qty": str(qty),
            "cost": str(qty * entry),
            "open_fees": "0",
            "realized_pnl": "0",
        }
        marks[p["pair"]] = str(value / qty)
    cash = equity - market_value
    cost = sum((Decimal(p["cost"]) for p in positions.values()), Decimal(0))

    def peak(drawdown_pct: float) -> str:
        return str(equity / (1 - Decimal(str(drawdown_pct))))

    return {
        "version": STATE_VERSION,
        "ledger": {
            "quote": quote_currency,
            "cash": {quote_currency: str(cash)},
            "positions": positions,
            "marks": marks,
            "fees_paid": "0",
            "net_deposits": str(cash + cost),
        },
        "trades": {},
        "reservations": {},
        "order_tags": {},
        "drawdown": {
            "equity": str(equity),
            "peak": peak(record.total_drawdown_pct),
            "day_start": day_start_ns(at_ns),
            "day_peak": peak(record.daily_drawdown_pct),
            "week_start": week_start_ns(at_ns),
            "week_peak": peak(record.weekly_drawdown_pct),
        },
        "recent_fill_ids": [],
    }

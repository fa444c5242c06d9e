"""HALT when a drawdown limit is reached: daily 2 %, weekly 5 %, total 15 % (DESIGN §7).

Reads the portfolio's drawdowns — on equity including unrealised P&L — whenever equity can have
moved: a fill (``PositionChanged``), a new mark for a pair with a position, or a snapshot. Each
window fires once when it crosses its limit and re-arms only after it has recovered below it.
Entries stay refused while a window is over its limit even after a resume (the RiskManager's
``halt`` stage): after a daily-drawdown HALT, new entries wait for 00:00 UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from galfriday.config.sections.risk import RiskSettings
from galfriday.core.events import BarClosed, OrderBookUpdated, PortfolioSnapshotTaken, PositionChanged
from galfriday.portfolio.view import PortfolioView
from galfriday.risk.triggers.base import Fire, Subscription


class DrawdownTrigger:
    name = "drawdown"

    def __init__(self, settings: RiskSettings, portfolio: PortfolioView, fire: Fire) -> None:
        self._limits = {
            "daily_drawdown": settings.max_daily_drawdown_pct,
            "weekly_drawdown": settings.max_weekly_drawdown_pct,
            "total_drawdown": settings.max_total_drawdown_pct,
        }
        self._portfolio = portfolio
        self._fire = fire
        self._fired: set[str] = set()

    def subscriptions(self) -> Iterable[Subscription]:
        return (
            (PositionChanged, self.on_equity_event),
            (PortfolioSnapshotTaken, self.on_equity_event),
            (OrderBookUpdated, self.on_price),
            (BarClosed, self.on_price),
        )

    def on_price(self, event: OrderBookUpdated | BarClosed) -> None:
        if self._portfolio.position_qty(event.pair):
            self.check()

    def on_equity_event(self, _: object) -> None:
        self.check()

    def _measure(self) -> dict[str, Decimal]:
        drawdowns = self._portfolio.drawdowns()
        return {
            "daily_drawdown": drawdowns.daily,
            "weekly_drawdown": drawdowns.weekly,
            "total_drawdown": drawdowns.total,
        }

    def check(self) -> None:
        for window, value in self._measure().items():
            limit = self._limits[window]
            if value < limit:
                self._fired.discard(window)
            elif window not in self._fired:
                self._fired.add(window)
                self._fire(
                    window,
                    f"{window.replace('_', ' ')} {_pct(value)} reached the {_pct(limit)} "
                    "limit (equity incl. unrealised P&L, from the peak)",
                )

    def reset(self) -> None:
        """On resume, a window still over its limit counts as reviewed: it fires again only after
        recovering below the limit (or its period resetting), not on the next tick. The risk
        manager keeps refusing entries while it is over (its ``halt`` stage reads the same figures)."""
        self._fired = {w for w, value in self._measure().items() if value >= self._limits[w]}


def _pct(fraction: Decimal) -> str:
    return f"{fraction * 100:.2f}%"

"""Drawdowns from the equity peak — total, since 00:00 UTC, and since Monday 00:00 UTC.

Measured on equity *including* unrealised P&L (DESIGN §7): a position marked down is a loss
before it is closed, and a stop that waits for the close is the mistake DESIGN §9 warns about.

Time comes from the ``Clock`` passed in as ``now_ns``, never the wall clock, so a backtest resets
at simulated midnights. Equity only changes on events, so the equity at a boundary is the last
one seen before it: when the first update or read after a boundary arrives, the new period's
peak starts from that equity, which is exact without a timer firing at midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from galfriday.core.clock import NS_PER_S

DAY_NS = 86_400 * NS_PER_S
WEEK_NS = 7 * DAY_NS
_FIRST_MONDAY_NS = 4 * DAY_NS  # 1970-01-01 was a Thursday; 1970-01-05 a Monday
ZERO = Decimal(0)


def day_start_ns(ts_ns: int) -> int:
    return ts_ns - ts_ns % DAY_NS


def week_start_ns(ts_ns: int) -> int:
    return ts_ns - (ts_ns - _FIRST_MONDAY_NS) % WEEK_NS


@dataclass(frozen=True, slots=True)
class Drawdowns:
    """Fractions of the period's peak equity (0.02 = 2 %), never negative."""

    daily: Decimal
    weekly: Decimal
    total: Decimal


def _drawdown(peak: Decimal, equity: Decimal) -> Decimal:
    return (peak - equity) / peak if peak > 0 and equity < peak else ZERO


class DrawdownTracker:
    def __init__(self, equity: Decimal, now_ns: int) -> None:
        self.equity = equity
        self.peak = equity
        self.day_start = day_start_ns(now_ns)
        self.day_peak = equity
        self.week_start = week_start_ns(now_ns)
        self.week_peak = equity

    def _roll(self, now_ns: int) -> None:
        day = day_start_ns(now_ns)
        if day != self.day_start:
            self.day_start, self.day_peak = day, self.equity
        week = week_start_ns(now_ns)
        if week != self.week_start:
            self.week_start, self.week_peak = week, self.equity

    def update(self, equity: Decimal, now_ns: int) -> None:
        # Runs on every bar of a backtest while a position is open, as does ``drawdowns``: the
        # period check is written out here (a call less), ``_roll`` only runs when one ended.
        day, week = self.day_start, self.week_start
        if not (day <= now_ns < day + DAY_NS and week <= now_ns < week + WEEK_NS):
            self._roll(now_ns)
        self.equity = equity
        peak, day_peak, week_peak = self.peak, self.day_peak, self.week_peak
        # A period peak that is the very same Decimal as another compares the same: compare once.
        new_high = equity > peak
        if new_high:
            self.peak = equity
        new_day_high = new_high if day_peak is peak else equity > day_peak
        if new_day_high:
            self.day_peak = equity
        if week_peak is peak:
            new_week_high = new_high
        elif week_peak is day_peak:
            new_week_high = new_day_high
        else:
            new_week_high = equity > week_peak
        if new_week_high:
            self.week_peak = equity

    def drawdowns(self, now_ns: int) -> Drawdowns:
        # Read on every bar while a position is open (the HALT trigger). The period peaks are
        # usually the very same Decimal as the all-time peak: one division then serves them all.
        day, week = self.day_start, self.week_start
        if not (day <= now_ns < day + DAY_NS and week <= now_ns < week + WEEK_NS):
            self._roll(now_ns)
        equity, peak, day_peak, week_peak = self.equity, self.peak, self.day_peak, self.week_peak
        total = _drawdown(peak, equity)
        daily = total if day_peak is peak else _drawdown(day_peak, equity)
        if week_peak is peak:
            weekly = total
        elif week_peak is day_peak:
            weekly = daily
        else:
            weekly = _drawdown(week_peak, equity)
        return Drawdowns(daily, weekly, total)

    def to_json(self) -> dict[str, Any]:
        return {
            "equity": str(self.equity),
            "peak": str(self.peak),
            "day_start": self.day_start,
            "day_peak": str(self.day_peak),
            "week_start": self.week_start,
            "week_peak": str(self.week_peak),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DrawdownTracker:
        tracker = cls(Decimal(data["equity"]), int(data["day_start"]))
        tracker.peak = Decimal(data["peak"])
        tracker.day_peak = Decimal(data["day_peak"])
        tracker.week_start = int(data["week_start"])
        tracker.week_peak = Decimal(data["week_peak"])
        return tracker

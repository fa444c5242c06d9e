"""Drawdowns include unrealised losses and reset at 00:00 UTC (daily) and Monday 00:00 UTC (weekly),
on the simulated clock."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from galfriday.config.sections.risk import PortfolioSettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.types import Side
from galfriday.portfolio.drawdown import DrawdownTracker, day_start_ns, week_start_ns
from galfriday.portfolio.manager import PortfolioManager
from tests.unit.portfolio._kit import DAY, HOUR, INSTRUMENTS, T0, D, book, fill


def ns(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp()) * 1_000_000_000


def test_period_starts_are_utc_midnight_and_monday() -> None:
    assert day_start_ns(ns(2024, 5, 8, 23, 59)) == ns(2024, 5, 8)
    assert week_start_ns(ns(2024, 5, 8, 13)) == ns(2024, 5, 6)  # Wednesday -> Monday 6 May
    assert week_start_ns(ns(2024, 5, 6)) == ns(2024, 5, 6)  # Monday 00:00 is its own start
    assert week_start_ns(ns(2024, 5, 5, 23, 59)) == ns(2024, 4, 29)  # Sunday belongs to the week before


def test_unrealised_loss_counts_before_the_position_is_closed() -> None:
    clock = SimClock(T0)
    manager = PortfolioManager(
        PortfolioSettings(initial_cash=D(10000)), INSTRUMENTS, clock, SyncBus().publish
    )
    manager.on_book(book("XRP/USD", "0.49999", "0.50001"))
    manager.on_order_filled(fill("XRP/USD", Side.BUY, "10000", "0.50000"))
    manager.on_book(book("XRP/USD", "0.47999", "0.48001"))  # -4 % on a $5,000 position: -$200

    drawdowns = manager.drawdowns()
    assert drawdowns.daily == drawdowns.weekly == drawdowns.total == D("0.02")
    assert manager.open_positions() == {"XRP/USD": D("10000")}


def test_daily_peak_resets_at_utc_midnight_weekly_on_monday() -> None:
    tracker = DrawdownTracker(D(1000), ns(2024, 5, 8, 10))  # Wednesday
    tracker.update(D(1100), ns(2024, 5, 8, 12))
    tracker.update(D(1045), ns(2024, 5, 8, 23, 59))
    assert tracker.drawdowns(ns(2024, 5, 8, 23, 59)).daily == D("0.05")

    # Thursday 00:00: the day starts from the equity at midnight (1045); the week still sees 1100.
    after_midnight = tracker.drawdowns(ns(2024, 5, 9, 0, 0))
    assert after_midnight.daily == 0
    assert after_midnight.weekly == D("0.05") and after_midnight.total == D("0.05")
    tracker.update(D("1024.1"), ns(2024, 5, 9, 9))
    assert tracker.drawdowns(ns(2024, 5, 9, 9)).daily == D("0.02")

    # Monday 13 May 00:00: the week resets; the total peak never does.
    monday = tracker.drawdowns(ns(2024, 5, 13, 0, 0))
    assert monday.daily == 0 and monday.weekly == 0
    assert monday.total == (D(1100) - D("1024.1")) / D(1100)


def test_the_manager_resets_with_the_sim_clock_not_wall_time() -> None:
    start = ns(2024, 5, 12, 20)  # Sunday evening
    clock = SimClock(start)
    manager = PortfolioManager(
        PortfolioSettings(initial_cash=D(10000)), INSTRUMENTS, clock, SyncBus().publish
    )
    manager.on_order_filled(fill("XRP/USD", Side.BUY, "10000", "0.50000", ts=start))
    manager.on_book(book("XRP/USD", "0.48999", "0.49001", ts=start))  # -$100: 1 %
    assert manager.drawdowns().daily == D("0.01")

    clock.advance_to(ns(2024, 5, 13) - 1)
    assert manager.drawdowns().weekly == D("0.01")
    clock.advance_to(ns(2024, 5, 13))  # Monday 00:00 UTC
    assert manager.drawdowns().daily == 0 and manager.drawdowns().weekly == 0
    assert manager.drawdowns().total == D("0.01")

    clock.advance_to(ns(2024, 5, 13) + 6 * HOUR)
    manager.on_book(book("XRP/USD", "0.47999", "0.48001", ts=clock.timestamp_ns()))  # another -$100
    assert manager.drawdowns().daily == Decimal(100) / Decimal(9900)
    clock.advance_to(ns(2024, 5, 13) + DAY)
    assert manager.drawdowns().daily == 0 and manager.drawdowns().weekly > 0

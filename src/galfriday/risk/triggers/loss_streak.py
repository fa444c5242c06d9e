"""HALT after ``loss_streak_halt`` consecutive losing trades (5), warn at ``loss_streak_warn`` (3).

A run of losses is the cheapest evidence that the model and the market have parted ways. A
trade that loses after fees is a loss (``TradeClosed.realized_pnl`` is net of both legs' fees);
anything else ends the streak.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from galfriday.config.sections.risk import RiskSettings
from galfriday.core.events import TradeClosed
from galfriday.risk.triggers.base import Fire, Subscription

Warn = Callable[[str, str], None]  # (title, message)


class LossStreakTrigger:
    name = "loss_streak"

    def __init__(self, settings: RiskSettings, fire: Fire, warn: Warn) -> None:
        self._halt_at = settings.loss_streak_halt
        self._warn_at = settings.loss_streak_warn
        self._fire = fire
        self._warn = warn
        self.streak = 0

    def subscriptions(self) -> Iterable[Subscription]:
        return ((TradeClosed, self.on_trade_closed),)

    def on_trade_closed(self, event: TradeClosed) -> None:
        if event.realized_pnl >= 0:
            self.streak = 0
            return
        self.streak += 1
        if self.streak == self._warn_at:
            self._warn(
                "loss streak",
                f"{self.streak} losing trades in a row (last: {event.pair} {event.realized_pnl} "
                f"{event.exit_reason}); HALT at {self._halt_at}",
            )
        if self.streak >= self._halt_at:
            self._fire(self.name, f"{self.streak} consecutive losing trades (limit {self._halt_at})")
            self.streak = 0

    def reset(self) -> None:
        self.streak = 0

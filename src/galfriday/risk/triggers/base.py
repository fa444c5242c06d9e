"""What a HALT trigger is: something that watches events and calls ``fire`` when trading must stop.

Triggers do not halt anything themselves; the coordinator decides what a firing means (HALT, or
a note on the HALT already latched). ``reset`` is called on resume, so counters that led to the
HALT (a loss streak, an error burst) start over once a person has reviewed them; conditions that
are measured (drawdown, volatility) are re-evaluated on the next event instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

Fire = Callable[[str, str], None]  # (trigger name, reason)
Subscription = tuple[type, Callable[[Any], None]]


class HaltTrigger(Protocol):
    name: str

    def subscriptions(self) -> Iterable[Subscription]: ...

    def reset(self) -> None: ...

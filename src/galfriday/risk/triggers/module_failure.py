"""HALT when a critical module keeps failing: the bus reports a critical subscriber whose handler
raised (or whose queue overflowed) ``critical_failure_threshold`` times within its window.

A portfolio that cannot book fills or a risk manager that cannot check signals is worse than no
trading, so the first ``repeated`` failure report fires. Install with
``bus.add_failure_listener(trigger.on_handler_failure)`` (the coordinator's ``attach`` does).
"""

from __future__ import annotations

from collections.abc import Iterable

from galfriday.core.bus_stats import HandlerFailure
from galfriday.risk.triggers.base import Fire, Subscription


class ModuleFailureTrigger:
    name = "module_failure"

    def __init__(self, fire: Fire) -> None:
        self._fire = fire

    def subscriptions(self) -> Iterable[Subscription]:
        return ()

    def on_handler_failure(self, failure: HandlerFailure) -> None:
        if not failure.repeated:
            return
        what = failure.reason if failure.error is None else f"{type(failure.error).__name__}: {failure.error}"
        self._fire(
            self.name,
            f"critical handler {failure.subscription} keeps failing on {failure.event_type} ({what})",
        )

    def reset(self) -> None:
        """Nothing to forget: the bus counts failures in its own window."""

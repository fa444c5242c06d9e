"""What a signal source says about a pair: enter long, or the reason to hold it is gone.

Sources (a model's predictions, RSI, SMA crossover) only form opinions; the arbitrator decides
what becomes a ``SignalProposed`` or a ``ClosePosition`` — one position per pair, cost-aware
stops, confirmations — so every source obeys the same rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class Action(StrEnum):
    ENTER = "enter"  # open a long
    EXIT = "exit"  # close an open long (spot is long-only: a "sell" never opens a short)


@dataclass(frozen=True, slots=True)
class Intent:
    pair: str
    action: Action
    why: str
    prediction_event_id: str | None = None
    prediction_value: float | None = None
    correlation_id: str = ""


SourceHandler = Callable[[Any], Intent | None]


class SignalSource(Protocol):
    name: str

    def subscriptions(self) -> Iterable[tuple[type, SourceHandler]]: ...

"""No trade before the test window: a strategy that warms up on earlier bars but stays silent.

A walk-forward test window starts cold unless its indicators, features and model inputs have seen
the bars before it. Those bars are in the past, so replaying them is no look-ahead — but trading on
them would count trades outside the window. ``GatedStrategySpec`` runs the usual signal sources on
every event (their state warms up) and drops what they say about events stamped before
``trade_from_ns``: the first possible decision is at the close of the bar ending at the test
start, filled at the first test bar's open.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from galfriday.backtest.strategies import StrategySpec
from galfriday.config.sections.signal import StrategySettings
from galfriday.strategy import SignalSource
from galfriday.strategy.intents import Intent, SourceHandler


@dataclass(frozen=True)
class GatedStrategySpec(StrategySpec):
    trade_from_ns: int = 0

    @classmethod
    def of(cls, spec: StrategySpec, trade_from_ns: int) -> GatedStrategySpec:
        return cls(spec.kind, spec.sma, spec.rsi, trade_from_ns=trade_from_ns)

    def sources(self, settings: StrategySettings) -> list[SignalSource]:
        return [_Gated(source, self.trade_from_ns) for source in super().sources(settings)]

    def describe(self) -> dict[str, Any]:
        return super().describe() | {"trade_from_ns": self.trade_from_ns}


class _Gated:
    def __init__(self, source: SignalSource, trade_from_ns: int) -> None:
        self.name = source.name
        self._source = source
        self._from = trade_from_ns

    def subscriptions(self) -> Iterable[tuple[type, SourceHandler]]:
        for event_type, handler in self._source.subscriptions():
            yield event_type, self._gate(handler)

    def _gate(self, handler: SourceHandler) -> SourceHandler:
        def gated(event: Any) -> Intent | None:
            intent = handler(event)  # always: the source's own state must see every event
            return intent if event.ts_event >= self._from else None

        return gated

"""Which strategy a backtest runs: a rule strategy (SMA crossover, RSI thresholds) or the model.

The rule strategies are ``strategy.sources``' baselines; their parameters are not in the
configuration schema yet, so they travel here (and as CLI options). ``model`` means the
``PredictionSource`` of the configured thresholds, fed by a prediction component the engine is
given (see ``kernel.PredictorFactory``); entries, exits, stops and sizing are the same
``StrategyArbitrator``/``RiskManager`` rules for all three.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from galfriday.config.sections.signal import StrategySettings
from galfriday.strategy import (
    PredictionSource,
    RsiRule,
    RsiThresholdSource,
    SignalSource,
    SmaCrossoverSource,
    SmaCrossRule,
)


class StrategyKind(StrEnum):
    SMA = "sma"
    RSI = "rsi"
    MODEL = "model"


@dataclass(frozen=True)
class StrategySpec:
    kind: StrategyKind = StrategyKind.SMA
    sma: SmaCrossRule = field(default_factory=SmaCrossRule)
    rsi: RsiRule = field(default_factory=RsiRule)

    @property
    def needs_predictions(self) -> bool:
        return self.kind is StrategyKind.MODEL

    def sources(self, settings: StrategySettings) -> list[SignalSource]:
        if self.kind is StrategyKind.SMA:
            return [SmaCrossoverSource(self.sma)]
        if self.kind is StrategyKind.RSI:
            return [RsiThresholdSource(self.rsi)]
        return [PredictionSource(settings)]

    def describe(self) -> dict[str, Any]:
        """The strategy and its rule parameters, as stored with the result."""
        params: dict[str, Any] = {}
        if self.kind is StrategyKind.SMA:
            params = asdict(self.sma)
        elif self.kind is StrategyKind.RSI:
            params = asdict(self.rsi)
        return {"kind": self.kind.value, "params": params}

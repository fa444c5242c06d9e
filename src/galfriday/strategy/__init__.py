"""Strategy: from predictions (or rule strategies) to entry signals and exit commands.

- ``sources``: ``PredictionSource`` (P(up) thresholds), ``RsiThresholdSource``,
  ``SmaCrossoverSource``; ``intents``: what a source says (enter / exit).
- ``indicators``: streaming SMA, RSI, ATR for the rule strategies and ATR stops.
- ``confirmations``: feature conditions that must hold before an entry.
- ``stops``: SL/TP on the tick, refused when the TP does not clear round-trip fees.
- ``pair_state``: the per-pair lifecycle (one position per pair).
- ``arbitrator``: ``StrategyArbitrator``, which publishes ``SignalProposed`` and ``ClosePosition``.
Signals and verdicts are recorded by ``galfriday.storage.recorders.signals``.
"""

from galfriday.strategy.arbitrator import StrategyArbitrator
from galfriday.strategy.intents import Action, Intent, SignalSource
from galfriday.strategy.sources import (
    PredictionSource,
    RsiRule,
    RsiThresholdSource,
    SmaCrossoverSource,
    SmaCrossRule,
)
from galfriday.strategy.stops import Bracket, EntryRefused, bracket

__all__ = [
    "Action",
    "Bracket",
    "EntryRefused",
    "Intent",
    "PredictionSource",
    "RsiRule",
    "RsiThresholdSource",
    "SignalSource",
    "SmaCrossRule",
    "SmaCrossoverSource",
    "StrategyArbitrator",
    "bracket",
]

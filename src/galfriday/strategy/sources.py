"""Signal sources: the model's predictions, and two rule strategies that need no model.

- ``PredictionSource``: enter when P(up) > ``buy_threshold``; exit when P(up) < ``sell_threshold``
  (if ``exit_on_reversal``).
- ``RsiThresholdSource``: enter when RSI of bar closes falls below ``enter_below`` (oversold);
  exit when it rises above ``exit_above``.
- ``SmaCrossoverSource``: enter when the fast SMA crosses above the slow one; exit on the cross
  back down.

The rule strategies are baselines — what a model has to beat — and drive tests without a model.
Their parameters are constructor arguments (``RsiRule``, ``SmaCrossRule``) because the
configuration schema has no section for them yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from galfriday.config.sections.signal import StrategySettings
from galfriday.core.events import BarClosed, PredictionMade
from galfriday.strategy.indicators import Sma, WilderRsi
from galfriday.strategy.intents import Action, Intent, SourceHandler


class PredictionSource:
    name = "prediction"

    def __init__(self, settings: StrategySettings) -> None:
        self._buy = settings.buy_threshold
        self._sell = settings.sell_threshold
        self._exit_on_reversal = settings.exit_on_reversal

    def subscriptions(self) -> Iterable[tuple[type, SourceHandler]]:
        return ((PredictionMade, self.on_prediction),)

    def on_prediction(self, event: PredictionMade) -> Intent | None:
        p_up = event.p_up
        if p_up > self._buy:
            return self._intent(event, Action.ENTER, f"P(up) {p_up:.3f} > {self._buy}")
        if self._exit_on_reversal and p_up < self._sell:
            return self._intent(event, Action.EXIT, f"P(up) {p_up:.3f} < {self._sell}")
        return None

    @staticmethod
    def _intent(event: PredictionMade, action: Action, why: str) -> Intent:
        return Intent(
            event.pair,
            action,
            why,
            prediction_event_id=event.event_id,
            prediction_value=event.p_up,
            correlation_id=event.correlation_id or event.event_id,
        )


@dataclass(frozen=True, slots=True)
class RsiRule:
    period: int = 14
    enter_below: float = 30.0
    exit_above: float = 70.0


class RsiThresholdSource:
    name = "rsi_threshold"

    def __init__(self, rule: RsiRule = RsiRule()) -> None:
        if not 0 < rule.enter_below < rule.exit_above < 100:
            raise ValueError(f"need 0 < enter_below < exit_above < 100, got {rule}")
        self._rule = rule
        self._rsi: dict[str, WilderRsi] = {}

    def subscriptions(self) -> Iterable[tuple[type, SourceHandler]]:
        return ((BarClosed, self.on_bar),)

    def on_bar(self, event: BarClosed) -> Intent | None:
        rsi = self._rsi.get(event.pair)
        if rsi is None:
            rsi = self._rsi[event.pair] = WilderRsi(self._rule.period)
        value = rsi.update(float(event.close))
        if value is None:
            return None
        label = f"RSI({self._rule.period}) {value:.1f}"
        if value < self._rule.enter_below:
            return Intent(
                event.pair, Action.ENTER, f"{label} < {self._rule.enter_below}", correlation_id=event.event_id
            )
        if value > self._rule.exit_above:
            return Intent(
                event.pair, Action.EXIT, f"{label} > {self._rule.exit_above}", correlation_id=event.event_id
            )
        return None


@dataclass(frozen=True, slots=True)
class SmaCrossRule:
    fast: int = 10
    slow: int = 30


class SmaCrossoverSource:
    name = "sma_crossover"

    def __init__(self, rule: SmaCrossRule = SmaCrossRule()) -> None:
        if not 0 < rule.fast < rule.slow:
            raise ValueError(f"need 0 < fast < slow, got {rule}")
        self._rule = rule
        self._smas: dict[str, tuple[Sma, Sma]] = {}
        self._above: dict[str, bool] = {}

    def subscriptions(self) -> Iterable[tuple[type, SourceHandler]]:
        return ((BarClosed, self.on_bar),)

    def on_bar(self, event: BarClosed) -> Intent | None:
        pair = event.pair
        smas = self._smas.get(pair)
        if smas is None:
            smas = self._smas[pair] = (Sma(self._rule.fast), Sma(self._rule.slow))
        close = float(event.close)
        fast, slow = smas[0].update(close), smas[1].update(close)
        if fast is None or slow is None:
            return None
        above = fast > slow
        sides = self._above
        was_above = sides.get(pair)
        if was_above is above:
            return None  # no cross: the common case, one dict read and no write
        sides[pair] = above
        if was_above is None:
            return None  # the first comparison only sets the side
        label = f"SMA({self._rule.fast}) {fast:.6g} vs SMA({self._rule.slow}) {slow:.6g}"
        action = Action.ENTER if above else Action.EXIT
        return Intent(
            event.pair,
            action,
            f"{label}: crossed {'above' if above else 'below'}",
            correlation_id=event.event_id,
        )

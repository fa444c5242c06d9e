"""The parameters an optimisation searches, and how a set of values becomes a strategy to backtest.

Searchable: the rule strategies' parameters (``fast``, ``slow`` of the SMA crossover; ``period``,
``enter_below``, ``exit_above`` of the RSI rule) and the strategy section's numbers (``sl_pct``,
``tp_pct``, ``max_holding_s``, ``buy_threshold``, ``sell_threshold``, ``atr_multiple``,
``reward_risk``). ``--param NAME=LOW:HIGH[:STEP|:log]`` sets a range; each rule strategy has a
default space.

Constraints are the strategy's own: a set of values is feasible when the strategy and settings they
make are valid (``fast < slow``, ``enter_below < exit_above``, ``sell_threshold < buy_threshold``,
``sl_pct < 1`` …) — checked by building them, so a rule added there is enforced here too, including
against parameters that are not searched (``fast`` up to 50 with ``slow`` fixed at 30).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from galfriday.backtest.research.errors import ResearchError
from galfriday.backtest.strategies import StrategyKind, StrategySpec
from galfriday.config import Settings
from galfriday.config.sections.signal import StrategySettings

#: name -> (what it belongs to, its type)
KNOWN: dict[str, tuple[str, type]] = {
    "fast": ("sma", int),
    "slow": ("sma", int),
    "period": ("rsi", int),
    "enter_below": ("rsi", float),
    "exit_above": ("rsi", float),
    "sl_pct": ("strategy", Decimal),
    "tp_pct": ("strategy", Decimal),
    "max_holding_s": ("strategy", int),
    "buy_threshold": ("strategy", float),
    "sell_threshold": ("strategy", float),
    "atr_multiple": ("strategy", Decimal),
    "reward_risk": ("strategy", Decimal),
}


@dataclass(frozen=True)
class Param:
    name: str
    low: float
    high: float
    step: float | None = None
    log: bool = False

    def __post_init__(self) -> None:
        if self.name not in KNOWN:
            raise ResearchError(f"unknown parameter {self.name!r}: searchable are {', '.join(KNOWN)}")
        if not self.low < self.high:
            raise ResearchError(f"parameter {self.name}: need LOW < HIGH, got {self.low}:{self.high}")
        if self.log and (self.low <= 0 or self.step is not None):
            raise ResearchError(f"parameter {self.name}: a log range needs LOW > 0 and no step")

    @property
    def integer(self) -> bool:
        return KNOWN[self.name][1] is int

    def suggest(self, trial: Any) -> int | float:
        if self.integer:
            step = int(self.step or 1)
            return int(trial.suggest_int(self.name, int(self.low), int(self.high), step=step, log=self.log))
        return float(trial.suggest_float(self.name, self.low, self.high, step=self.step, log=self.log))

    def describe(self) -> str:
        tail = ":log" if self.log else "" if self.step is None else f":{self.step:g}"
        return f"{self.name}={self.low:g}:{self.high:g}{tail}"


@dataclass(frozen=True)
class SearchSpace:
    params: tuple[Param, ...]

    def __post_init__(self) -> None:
        if not self.params:
            raise ResearchError("the search space is empty: give at least one --param NAME=LOW:HIGH")
        names = [p.name for p in self.params]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ResearchError(f"parameter(s) {', '.join(twice)} given more than once")

    def sample(self, trial: Any) -> dict[str, int | float]:
        return {p.name: p.suggest(trial) for p in self.params}

    def describe(self) -> list[str]:
        return [p.describe() for p in self.params]


DEFAULT_SPACES: dict[StrategyKind, SearchSpace] = {
    StrategyKind.SMA: SearchSpace((Param("fast", 3, 30), Param("slow", 10, 120))),
    StrategyKind.RSI: SearchSpace(
        (Param("period", 5, 30), Param("enter_below", 10, 40), Param("exit_above", 60, 90))
    ),
}


def default_space(kind: StrategyKind) -> SearchSpace:
    space = DEFAULT_SPACES.get(kind)
    if space is None:
        raise ResearchError(
            f"no default search space for the {kind} strategy: give --param NAME=LOW:HIGH "
            "(e.g. sl_pct, tp_pct)"
        )
    return space


def parse_param(text: str) -> Param:
    """``NAME=LOW:HIGH``, ``NAME=LOW:HIGH:STEP`` or ``NAME=LOW:HIGH:log``."""
    name, sep, bounds = text.partition("=")
    parts = bounds.split(":")
    if not sep or len(parts) not in (2, 3):
        raise ResearchError(f"--param {text}: write NAME=LOW:HIGH, NAME=LOW:HIGH:STEP or NAME=LOW:HIGH:log")
    try:
        low, high = float(parts[0]), float(parts[1])
        log = len(parts) == 3 and parts[2].strip().lower() == "log"
        step = float(parts[2]) if len(parts) == 3 and not log else None
    except ValueError:
        raise ResearchError(f"--param {text}: LOW, HIGH and STEP must be numbers") from None
    return Param(name.strip(), low, high, step, log)


def apply(values: Mapping[str, Any], settings: Settings, spec: StrategySpec) -> tuple[Settings, StrategySpec]:
    """The settings and strategy ``values`` make; ``ResearchError`` when they are not a valid pair."""
    by_owner: dict[str, dict[str, Any]] = {"sma": {}, "rsi": {}, "strategy": {}}
    for name, value in values.items():
        if name not in KNOWN:
            raise ResearchError(f"unknown parameter {name!r}: searchable are {', '.join(KNOWN)}")
        owner, kind = KNOWN[name]
        by_owner[owner][name] = Decimal(f"{value:.12g}") if kind is Decimal else kind(value)
    spec = dataclasses.replace(
        spec,
        sma=dataclasses.replace(spec.sma, **by_owner["sma"]),
        rsi=dataclasses.replace(spec.rsi, **by_owner["rsi"]),
    )
    try:
        if by_owner["strategy"]:
            strategy = StrategySettings.model_validate(settings.strategy.model_dump() | by_owner["strategy"])
            settings = settings.model_copy(update={"strategy": strategy})
        spec.sources(settings.strategy)  # the rules' own checks (fast < slow, enter_below < exit_above)
    except ValueError as exc:  # pydantic's ValidationError is one
        raise ResearchError(f"infeasible parameters {dict(values)}: {_first_line(exc)}") from None
    return settings, spec


def _first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " ".join(lines[:3])

"""The shape of a pre-trade check: a proposal worked on by stages, each leaving a record.

Stages run in a fixed order (``manager.STAGES``); each reads and may change the ``Proposal``
(rounded prices, the size) and returns a ``StageResult`` with what it saw and what it decided.
The first stage that fails rejects the signal, naming itself and the reason; the results of every
stage that ran are the ``risk_details`` stored in ``signals.risk_check_details``, so a rejected
or approved signal can be explained afterwards from the database alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_UP, Decimal
from typing import Any, Protocol

from galfriday.config.sections.risk import RiskSettings
from galfriday.core.events import SignalProposed
from galfriday.core.instruments import Instrument, round_to_increment
from galfriday.portfolio.view import PortfolioView
from galfriday.risk.halt_record import HaltRecord
from galfriday.risk.in_flight import InFlightApprovals

ZERO = Decimal(0)


class HaltState(Protocol):
    @property
    def is_halted(self) -> bool: ...

    @property
    def current(self) -> HaltRecord | None: ...


@dataclass(frozen=True, slots=True)
class RiskContext:
    """What every stage may consult: limits, instruments, the portfolio, the HALT state."""

    settings: RiskSettings
    instruments: Mapping[str, Instrument]
    portfolio: PortfolioView
    halt: HaltState
    in_flight: InFlightApprovals


@dataclass(slots=True)
class Proposal:
    """The signal as the stages refine it."""

    signal: SignalProposed
    instrument: Instrument | None = None
    entry_price: Decimal | None = None  # the limit price (None for a market entry)
    sl: Decimal = ZERO
    tp: Decimal = ZERO
    price: Decimal = ZERO  # what one unit costs: the limit price, or the mid for a market entry
    qty: Decimal = ZERO
    min_qty: Decimal = ZERO
    min_reason: str = ""

    @property
    def notional(self) -> Decimal:
        return self.qty * self.price


@dataclass(frozen=True, slots=True)
class StageResult:
    stage: str
    passed: bool
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    def to_details(self) -> dict[str, Any]:
        """The stage's entry in ``risk_details``. Decimals stay Decimals: the event codec and the
        JSON column both write them as exact strings (converting here would cost every check)."""
        data: dict[str, Any] = {"stage": self.stage, "passed": self.passed}
        if self.inputs:
            data["in"] = self.inputs
        if self.outputs:
            data["out"] = self.outputs
        if self.reason:
            data["reason"] = self.reason
        return data


def passed(stage: str, inputs: dict[str, Any], outputs: dict[str, Any] | None = None) -> StageResult:
    return StageResult(stage, True, inputs, outputs or {})


def failed(stage: str, reason: str, inputs: dict[str, Any] | None = None) -> StageResult:
    return StageResult(stage, False, inputs or {}, {}, reason)


def set_minimum(p: Proposal, settings: RiskSettings) -> None:
    """The smallest on-lot quantity the exchange and our own minimum order value allow at ``p.price``,
    and which of them binds (named in rejections so the fix is obvious)."""
    instrument = p.instrument
    assert instrument is not None
    lot = instrument.lot
    candidates = {
        f"Kraken ordermin {instrument.ordermin}": round_to_increment(instrument.ordermin, lot, ROUND_UP),
        f"Kraken costmin {instrument.costmin} {instrument.quote}": (
            round_to_increment(instrument.costmin / p.price, lot, ROUND_UP) if instrument.costmin else ZERO
        ),
        f"min order value {settings.min_order_value_usd} {instrument.quote}": (
            round_to_increment(settings.min_order_value_usd / p.price, lot, ROUND_UP)
        ),
    }
    p.min_qty = max(candidates.values())
    p.min_reason = ", ".join(name for name, qty in candidates.items() if qty == p.min_qty)


def below_minimum(p: Proposal, why: str) -> str:
    """A rejection reason for a size that fell below the minimum; ``why`` says what made it so."""
    assert p.instrument is not None
    return (
        f"{why}: {p.qty} {p.instrument.base} is below the minimum order of {p.min_qty} "
        f"{p.instrument.base} ({p.min_reason})"
    )

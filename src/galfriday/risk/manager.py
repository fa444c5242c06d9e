"""RiskManager: every proposed entry passes the staged pre-trade checks or is rejected with a reason.

Consumes ``SignalProposed``; publishes ``SignalApproved`` (with the final quantity and rounded
prices) or ``SignalRejected`` (with the failing stage and why). Both carry ``risk_details``: the
inputs and outputs of every stage that ran, which the signal recorder stores in
``signals.risk_check_details``.

Stages, in order: validate → round → fat_finger → size → exposure → order_value → balance → halt.
The portfolio is read synchronously through ``PortfolioView``; nothing here does I/O, so the same
object runs on the backtest and live buses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from galfriday.config.sections.risk import RiskSettings
from galfriday.core.clock import Clock
from galfriday.core.events import Event, SignalApproved, SignalProposed, SignalRejected
from galfriday.core.instruments import Instrument
from galfriday.portfolio.view import PortfolioView
from galfriday.risk.in_flight import InFlightApprovals
from galfriday.risk.pipeline import HaltState, Proposal, RiskContext, StageResult
from galfriday.risk.stages_order import fat_finger, round_prices, validate
from galfriday.risk.stages_size import balance, exposure, order_value, size
from galfriday.risk.stages_state import halt_state

logger = logging.getLogger(__name__)

Publish = Callable[[Event], None]
Stage = Callable[[Proposal, RiskContext], StageResult]

STAGES: tuple[Stage, ...] = (
    validate,
    round_prices,
    fat_finger,
    size,
    exposure,
    order_value,
    balance,
    halt_state,
)


@dataclass(frozen=True, slots=True)
class RiskDecision:
    approved: bool
    stage: str  # the stage that rejected, or "" when approved
    reason: str
    qty: Decimal
    entry_price: Decimal | None
    sl_price: Decimal
    tp_price: Decimal
    price: Decimal
    cost: Decimal  # qty × price plus the taker fee: what the free balance had to cover
    details: dict[str, Any]


class RiskManager:
    def __init__(
        self,
        settings: RiskSettings,
        instruments: Mapping[str, Instrument],
        portfolio: PortfolioView,
        halt: HaltState,
        clock: Clock,
        publish: Publish,
    ) -> None:
        self._in_flight = InFlightApprovals()
        self._ctx = RiskContext(settings, instruments, portfolio, halt, self._in_flight)
        self._clock = clock
        self._publish = publish

    def attach(self, bus: Any) -> None:
        bus.subscribe(SignalProposed, self.on_signal_proposed, name="risk.check", critical=True, group="risk")

    def check(self, signal: SignalProposed) -> RiskDecision:
        """Run every stage; pure apart from reading the portfolio (publishes nothing)."""
        self._in_flight.prune(self._ctx.portfolio.approvals_seen())
        proposal = Proposal(signal)
        results: list[StageResult] = []
        for stage in STAGES:
            result = stage(proposal, self._ctx)
            results.append(result)
            if not result.passed:
                return _decision(proposal, results, result)
        return _decision(proposal, results, None)

    def on_signal_proposed(self, signal: SignalProposed) -> None:
        decision = self.check(signal)
        now = self._clock.timestamp_ns()
        common = {
            "ts_event": now,
            "ts_init": now,
            "correlation_id": signal.correlation_id,
            "signal_id": signal.signal_id,
            "pair": signal.pair,
            "risk_details": decision.details,
        }
        if not decision.approved:
            logger.info(
                "signal %s %s rejected at %s: %s",
                signal.signal_id,
                signal.pair,
                decision.stage,
                decision.reason,
            )
            self._publish(SignalRejected(**common, stage=decision.stage, reason=decision.reason))
            return
        self._in_flight.add(signal.pair, decision.qty * decision.price, decision.cost)
        self._publish(
            SignalApproved(
                **common,
                strategy_id=signal.strategy_id,
                side=signal.side,
                entry_type=signal.entry_type,
                qty=decision.qty,
                entry_price=decision.entry_price,
                sl_price=decision.sl_price,
                tp_price=decision.tp_price,
            )
        )


def _decision(p: Proposal, results: list[StageResult], failure: StageResult | None) -> RiskDecision:
    details: dict[str, Any] = {"stages": [r.to_details() for r in results]}
    if failure is None:
        details["final"] = {
            "qty": p.qty,
            "price": p.price,
            "notional": p.notional,
            "entry_price": p.entry_price,
            "sl_price": p.sl,
            "tp_price": p.tp,
        }
    return RiskDecision(
        approved=failure is None,
        stage="" if failure is None else failure.stage,
        reason="" if failure is None else failure.reason,
        qty=p.qty,
        entry_price=p.entry_price,
        sl_price=p.sl,
        tp_price=p.tp,
        price=p.price,
        cost=p.notional * (1 + p.instrument.taker_fee) if p.instrument is not None else p.notional,
        details=details,
    )

"""The entry gate: HALTED or stopping, nothing new is opened; a stop is not a latched HALT."""

from __future__ import annotations

from decimal import Decimal

from galfriday.app.runtime.gate import SHUTDOWN_TRIGGER, EntryGate
from galfriday.config.sections.risk import PortfolioSettings, RiskSettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.instruments import default_instruments
from galfriday.portfolio.manager import PortfolioManager
from galfriday.risk.halt import HaltCoordinator


def _gate() -> tuple[EntryGate, HaltCoordinator]:
    clock, bus = SimClock(1_000), SyncBus()
    portfolio = PortfolioManager(
        PortfolioSettings(initial_cash=Decimal(1000)), default_instruments(), clock, bus.publish
    )
    halt = HaltCoordinator(RiskSettings(), clock, bus.publish, portfolio)
    return EntryGate(halt, clock), halt


def test_open_until_halted_or_closed() -> None:
    gate, halt = _gate()
    assert not gate.is_halted and gate.current is None
    halt.halt("operator", by="alice")
    assert gate.is_halted and gate.current is halt.current


def test_closing_for_shutdown_refuses_entries_without_latching_a_halt() -> None:
    gate, halt = _gate()
    gate.close("the session is stopping")
    gate.close("a second reason does not replace the first")
    assert gate.is_halted and not halt.is_halted
    assert gate.current is not None and gate.current.trigger == SHUTDOWN_TRIGGER
    assert gate.current.reason == "the session is stopping"

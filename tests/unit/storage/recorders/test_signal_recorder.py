"""Signals and verdicts are stored in ``signals``, whatever order the events arrive in."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import msgspec
import pytest

from galfriday.config.sections.risk import RiskSettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import SignalApproved, SignalRejected
from galfriday.core.types import Side, SignalStatus
from galfriday.risk.manager import RiskManager
from galfriday.storage.db.database import Database, open_database
from galfriday.storage.db.migrate import upgrade
from galfriday.storage.db.repositories import SignalRepository
from galfriday.storage.recorders.signals import SignalRecorder
from tests.unit.portfolio._kit import INSTRUMENTS, T0, D, Recorder, prediction, signal
from tests.unit.risk._fakes import FakeHalt, FakePortfolio


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[Database]:
    await upgrade(sqlite_url)
    database = await open_database(sqlite_url)
    yield database
    await database.close()


async def test_proposals_and_verdicts_with_risk_details(database: Database) -> None:
    bus = SyncBus()
    events = Recorder(bus)
    repository = SignalRepository(database.sessions)
    recorder = SignalRecorder(repository)
    recorder.attach(bus)
    RiskManager(RiskSettings(), INSTRUMENTS, FakePortfolio(), FakeHalt(), SimClock(T0), bus.publish).attach(
        bus
    )

    source = prediction("XRP/USD", 0.8)
    good = signal()
    good = type(good)(
        **{
            **{f: getattr(good, f) for f in good.__struct_fields__},
            "prediction_event_id": source.event_id,
            "prediction_value": 0.8,
        }
    )
    bad = signal(side=Side.SELL)
    bus.publish(good)
    bus.publish(bad)
    await recorder.queue.flush()

    approved = await repository.get(uuid.UUID(good.signal_id))
    assert approved is not None and approved.status is SignalStatus.APPROVED
    assert approved.prediction_event_id == uuid.UUID(source.event_id) and approved.prediction_value == 0.8
    assert approved.risk_check_details == msgspec.to_builtins(events.last(SignalApproved).risk_details)
    assert approved.risk_check_details["final"]["qty"] == "20000.00000000"

    rejected = await repository.get(uuid.UUID(bad.signal_id))
    assert rejected is not None and rejected.status is SignalStatus.REJECTED
    assert rejected.rejection_reason == f"validate: {events.last(SignalRejected).reason}"
    assert rejected.risk_check_details["stages"][0]["stage"] == "validate"


async def test_a_verdict_that_arrives_first_waits_for_its_proposal(database: Database) -> None:
    repository = SignalRepository(database.sessions)
    recorder = SignalRecorder(repository)
    proposal = signal()
    recorder.on_verdict(
        SignalRejected(
            ts_event=T0,
            ts_init=T0,
            signal_id=proposal.signal_id,
            pair="XRP/USD",
            stage="halt",
            reason="HALTED",
            risk_details={"stages": []},
        )
    )
    await recorder.queue.flush()
    assert await repository.get(uuid.UUID(proposal.signal_id)) is None
    recorder.on_proposed(proposal)
    await recorder.queue.flush()
    stored = await repository.get(uuid.UUID(proposal.signal_id))
    assert stored is not None and stored.status is SignalStatus.REJECTED
    assert stored.rejection_reason == "halt: HALTED"
    assert stored.proposed_entry_price == D("0.50000")
    assert recorder.queue.failed == 0

"""Persist signals: ``SignalProposed`` as PROPOSED, then the risk manager's verdict, in ``signals``.

An adapter (imports storage). The three events may reach it out of order on the live bus (each
subscription has its own queue), so writes go through one ``WriteBehind`` in arrival order and a
verdict that arrives before its proposal was written waits for it. ``risk_details`` are stored in
``risk_check_details``.
"""

from __future__ import annotations

import uuid
from typing import Any

from galfriday.core.events import SignalApproved, SignalProposed, SignalRejected
from galfriday.storage.db.records import NewSignal
from galfriday.storage.db.repositories import SignalRepository
from galfriday.storage.recorders.write_behind import WriteBehind, as_uuid, utc_datetime

Verdict = SignalApproved | SignalRejected


class SignalRecorder:
    def __init__(self, repository: SignalRepository, *, exchange: str = "kraken") -> None:
        self._repository = repository
        self._exchange = exchange
        self.queue = WriteBehind("signals")
        self._written: set[str] = set()  # proposals written, verdict not yet
        self._early: dict[str, Verdict] = {}  # verdicts whose proposal is not written yet

    def attach(self, bus: Any) -> None:
        bus.subscribe(
            SignalProposed, self.on_proposed, name="signals.recorder.proposed", group="signals.recorder"
        )
        bus.subscribe(
            SignalApproved, self.on_verdict, name="signals.recorder.approved", group="signals.recorder"
        )
        bus.subscribe(
            SignalRejected, self.on_verdict, name="signals.recorder.rejected", group="signals.recorder"
        )

    def on_proposed(self, event: SignalProposed) -> None:
        self.queue.submit(lambda: self._insert(event))

    def on_verdict(self, event: Verdict) -> None:
        self.queue.submit(lambda: self._decide(event))

    async def _insert(self, event: SignalProposed) -> None:
        await self._repository.insert_proposed(
            NewSignal(
                signal_id=uuid.UUID(event.signal_id),
                trading_pair=event.pair,
                exchange=self._exchange,
                strategy_id=event.strategy_id,
                side=event.side,
                entry_type=event.entry_type,
                proposed_entry_price=event.entry_price,
                proposed_sl_price=event.sl_price,
                proposed_tp_price=event.tp_price,
                prediction_event_id=as_uuid(event.prediction_event_id),
                prediction_value=event.prediction_value,
                created_at=utc_datetime(event.ts_event),
            )
        )
        early = self._early.pop(event.signal_id, None)
        if early is None:
            self._written.add(event.signal_id)
        else:
            await self._write_verdict(early)

    async def _decide(self, event: Verdict) -> None:
        if event.signal_id not in self._written:
            self._early[event.signal_id] = event
            return
        self._written.discard(event.signal_id)
        await self._write_verdict(event)

    async def _write_verdict(self, event: Verdict) -> None:
        signal_id = uuid.UUID(event.signal_id)
        if isinstance(event, SignalApproved):
            await self._repository.mark_approved(signal_id, event.risk_details)
        else:
            reason = f"{event.stage}: {event.reason}"
            await self._repository.mark_rejected(signal_id, reason, event.risk_details)

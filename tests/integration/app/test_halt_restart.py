"""A HALT outlives the process: the next start comes up HALTED, refuses every entry, and trades
again only after the recovery checklist is completed and trading resumed through the control API."""

from __future__ import annotations

from typing import Any

import httpx

from galfriday.core.events import SignalRejected, SubmitOrder
from galfriday.risk.halt_record import CHECKLIST_ITEMS
from tests.integration.app.conftest import StartSession
from tests.integration.app.paper_kit import HEADERS, wait_for


async def test_a_persisted_halt_comes_back_halted_until_resumed_through_the_checklist(
    start_session: StartSession,
) -> None:
    first = await start_session()
    async with httpx.AsyncClient(base_url=first.session.api_url or "", headers=HEADERS) as api:
        response = await api.post("/api/halt", json={"reason": "operator test", "by": "alice"})
        assert response.status_code == 200
    assert await first.stop() == 0

    second = await start_session()
    session = second.session
    assert session.bus is not None and session.halt is not None
    rejected: list[SignalRejected] = []
    entries: list[SubmitOrder] = []
    session.bus.subscribe(SignalRejected, rejected.append, name="test.rejected")
    session.bus.subscribe(
        SubmitOrder, lambda c: entries.append(c) if c.purpose == "entry" else None, name="test.entries"
    )

    async with httpx.AsyncClient(base_url=session.api_url or "", headers=HEADERS) as api:
        status = (await api.get("/api/status")).json()
        assert status["system_state"] == "HALTED"
        assert status["halt"]["trigger"] == "manual" and "operator test" in status["halt"]["reason"]

        await wait_for(lambda: any(r.stage == "halt" for r in rejected), 30, "an entry refused while HALTED")
        assert entries == []
        refused = await api.post("/api/resume", json={"by": "alice"})
        assert refused.status_code == 409 and "reason_reviewed" in str(refused.json())

        for item in CHECKLIST_ITEMS:
            done = await api.post(f"/api/resume/checklist/{item}", json={"by": "alice", "note": "checked"})
            assert done.status_code == 200, done.text
        resumed = await api.post("/api/resume", json={"by": "alice"})
        assert resumed.status_code == 200 and resumed.json()["resumed"] is True
        await wait_for(lambda: bool(entries), 30, "an entry after the resume")
        status: dict[str, Any] = (await api.get("/api/status")).json()
        assert status["system_state"] == "RUNNING" and status["halt"] is None
    assert await second.stop() == 0

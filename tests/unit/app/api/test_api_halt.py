"""HALT through the API, then the way back: the checklist is enforced, recorded and then resumes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from galfriday.core.events import HaltResumed, HaltTriggered
from galfriday.core.types import SystemState
from galfriday.risk.halt_record import CHECKLIST_ITEMS
from tests.unit.app.api._kit import AUTH, Session


@pytest.fixture
def session() -> Session:
    return Session()


@pytest.fixture
def client(session: Session) -> TestClient:
    return TestClient(session.app())


def halt(client: TestClient, reason: str = "spread looks wrong") -> dict[str, object]:
    response = client.post("/api/halt", json={"reason": reason, "by": "alice"}, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


def complete(client: TestClient, item: str, by: str = "bob") -> dict[str, object]:
    response = client.post(
        f"/api/resume/checklist/{item}", json={"by": by, "note": f"checked {item}"}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_status_of_a_running_session(client: TestClient) -> None:
    status = client.get("/api/status", headers=AUTH).json()

    assert status["mode"] == "paper"
    assert status["system_state"] == SystemState.STARTING.value
    assert status["halt"] is None
    assert status["portfolio"]["equity"] == "10010.00"
    assert status["portfolio"]["drawdowns"] == {"daily": 0.004, "weekly": 0.012, "total": 0.02}
    assert status["portfolio"]["positions"][0]["pair"] == "XRP/USD"
    assert status["pnl"] == {"realized_session": "0", "unrealized": "10.00"}
    assert status["open_orders"] == 0
    assert len(status["config_hash"]) == 64


def test_halt_shows_halted_in_status_and_publishes_the_halt(session: Session, client: TestClient) -> None:
    body = halt(client)

    assert body["halted"] is True
    assert body["halt"]["trigger"] == "manual"
    status = client.get("/api/status", headers=AUTH).json()
    assert status["system_state"] == "HALTED"
    assert status["halt"]["reason"] == "spread looks wrong (by alice)"
    assert status["halt"]["missing_items"] == list(CHECKLIST_ITEMS)
    (event,) = session.recorder.of(HaltTriggered)
    assert event.trigger == "manual"


def test_resume_is_refused_until_every_item_is_recorded_then_works(
    session: Session, client: TestClient
) -> None:
    halt(client)

    for index, item in enumerate(CHECKLIST_ITEMS):
        refused = client.post("/api/resume", json={"by": "carol"}, headers=AUTH)
        assert refused.status_code == 409
        assert refused.json()["detail"]["missing_items"] == list(CHECKLIST_ITEMS[index:])
        session.advance(5)
        body = complete(client, item)
        assert body["missing_items"] == list(CHECKLIST_ITEMS[index + 1 :])

    checklist = client.get("/api/resume/checklist", headers=AUTH).json()
    assert checklist["halted"] and checklist["missing_items"] == []
    assert {(i["item"], i["by"], i["note"]) for i in checklist["items"]} == {
        (item, "bob", f"checked {item}") for item in CHECKLIST_ITEMS
    }
    assert all(i["at"].endswith("Z") for i in checklist["items"])
    assert len({i["at"] for i in checklist["items"]}) == len(CHECKLIST_ITEMS)  # each when it was done

    resumed = client.post("/api/resume", json={"by": "carol"}, headers=AUTH)
    assert resumed.status_code == 200
    assert resumed.json()["halt"]["checklist"][0]["by"] == "bob"
    assert session.recorder.last(HaltResumed).resumed_by == "carol"
    assert client.get("/api/status", headers=AUTH).json()["halt"] is None


def test_confirm_must_come_last(client: TestClient) -> None:
    halt(client)

    response = client.post("/api/resume/checklist/confirm", json={"by": "bob"}, headers=AUTH)

    assert response.status_code == 409
    assert "confirm comes last" in response.json()["detail"]["message"]


def test_unknown_item_is_404_with_the_list(client: TestClient) -> None:
    halt(client)

    response = client.post("/api/resume/checklist/vibes_ok", json={"by": "bob"}, headers=AUTH)

    assert response.status_code == 404
    assert response.json()["detail"]["items"] == list(CHECKLIST_ITEMS)


def test_checklist_needs_a_name(client: TestClient) -> None:
    halt(client)

    response = client.post("/api/resume/checklist/market_ok", json={"by": "   "}, headers=AUTH)

    assert response.status_code == 422


def test_nothing_to_resume_when_not_halted(client: TestClient) -> None:
    assert client.get("/api/resume/checklist", headers=AUTH).json() == {
        "halted": False,
        "items": [],
        "missing_items": [],
    }
    assert client.post("/api/resume", json={"by": "bob"}, headers=AUTH).status_code == 409
    assert client.post("/api/resume/checklist/market_ok", json={"by": "bob"}, headers=AUTH).status_code == 409


def test_halting_again_is_recorded_and_restarts_the_checklist(client: TestClient) -> None:
    halt(client)
    complete(client, "reason_reviewed")

    body = halt(client, "still wrong")

    assert "checklist starts again" in body["note"]
    assert body["halt"]["missing_items"] == list(CHECKLIST_ITEMS)
    assert body["halt"]["later_triggers"][0]["reason"] == "still wrong (by alice)"


def test_halt_needs_a_reason(client: TestClient) -> None:
    assert client.post("/api/halt", json={"reason": ""}, headers=AUTH).status_code == 422

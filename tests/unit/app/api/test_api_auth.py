"""Every route except the liveness probe, the dashboard page and (by default) /metrics needs the key."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from tests.unit.app.api._kit import API_KEY, AUTH, Session

PROTECTED = [
    ("GET", "/api/status", None),
    ("GET", "/health/ready", None),
    ("POST", "/api/halt", {"reason": "test", "by": "alice"}),
    ("GET", "/api/resume/checklist", None),
    ("POST", "/api/resume/checklist/reason_reviewed", {"by": "alice"}),
    ("POST", "/api/resume", {"by": "alice"}),
]


@pytest.fixture
def client() -> TestClient:
    return TestClient(Session().app())


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
@pytest.mark.parametrize(
    "headers", [{}, {"X-API-Key": "wrong"}, {"X-API-Key": API_KEY + "x"}, {"X-API-Key": ""}]
)
def test_protected_routes_refuse_a_missing_or_wrong_key(
    client: TestClient, method: str, path: str, body: dict[str, str] | None, headers: dict[str, str]
) -> None:
    response = client.request(method, path, json=body, headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "ApiKey"
    assert "X-API-Key" in response.json()["detail"]


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
def test_protected_routes_accept_the_key(
    client: TestClient, method: str, path: str, body: dict[str, str] | None
) -> None:
    response = client.request(method, path, json=body, headers=AUTH)

    assert response.status_code not in (401, 403)


def test_liveness_dashboard_and_metrics_are_public_by_default(client: TestClient) -> None:
    assert client.get("/health/live").json() == {"status": "alive"}
    assert client.get("/metrics").status_code == 200
    page = client.get("/")
    assert page.status_code == 200 and "<title>Gal-Friday</title>" in page.text


def test_metrics_can_require_the_key() -> None:
    client = TestClient(Session().app(metrics_public=False))

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=AUTH).status_code == 200


def test_no_openapi_or_docs_route_leaks_the_api_shape(client: TestClient) -> None:
    for path in ("/openapi.json", "/docs", "/redoc"):
        assert client.get(path).status_code == 404


def test_without_a_configured_key_the_api_is_open_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        client = TestClient(Session().app(api_key=None))

    assert client.get("/api/status").status_code == 200
    assert "no dashboard.api_key" in caplog.text


def test_the_key_never_appears_in_a_response_or_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    session = Session()
    client = TestClient(session.app())
    with caplog.at_level(logging.DEBUG):
        bodies = [
            client.get("/api/status", headers={"X-API-Key": "wrong"}).text,
            client.post("/api/halt", json={"reason": "check", "by": "alice"}, headers=AUTH).text,
            client.get("/api/status", headers=AUTH).text,
            client.get("/api/resume/checklist", headers=AUTH).text,
            client.post("/api/resume", json={"by": "alice"}, headers=AUTH).text,
            client.get("/health/ready", headers=AUTH).text,
            client.get("/metrics").text,
            client.get("/").text,
        ]

    assert all(API_KEY not in body for body in bodies)
    assert API_KEY not in caplog.text
    assert all(API_KEY not in repr(record.__dict__) for record in caplog.records)

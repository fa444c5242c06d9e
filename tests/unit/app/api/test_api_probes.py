"""Readiness follows the health checks; /metrics exposes every metric family the system exports."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from galfriday.core.events import HealthChanged
from galfriday.core.types import HealthStatus
from galfriday.monitoring import StatsPoller
from tests.unit.app.api._kit import AUTH, PAIRS, STALE_AFTER_S, Session
from tests.unit.monitoring._families import EXPORTED_FAMILIES
from tests.unit.portfolio._kit import book


def test_ready_flips_when_a_pair_goes_stale_and_back_when_it_updates() -> None:
    session = Session()
    client = TestClient(session.app())
    session.advance(STALE_AFTER_S / 2)
    for pair in PAIRS:
        session.bus.publish(book(pair, "0.5", "0.51", ts=session.clock.timestamp_ns()))

    ready = client.get("/health/ready", headers=AUTH)
    assert ready.status_code == 200 and ready.json()["ready"] is True

    session.advance(STALE_AFTER_S / 2)
    session.bus.publish(book("XRP/USD", "0.5", "0.51", ts=session.clock.timestamp_ns()))
    session.advance(STALE_AFTER_S / 2)

    stale = client.get("/health/ready", headers=AUTH)
    assert stale.status_code == 503
    market = next(c for c in stale.json()["components"] if c["name"] == "market_data")
    assert (
        market["status"] == "FAILED" and "DOGE/USD" in market["detail"] and "XRP/USD" not in market["detail"]
    )
    (changed,) = session.recorder.of(HealthChanged)
    assert (changed.component, changed.status) == ("market_data", HealthStatus.FAILED)

    session.bus.publish(book("DOGE/USD", "0.1", "0.11", ts=session.clock.timestamp_ns()))
    assert client.get("/health/ready", headers=AUTH).status_code == 200
    assert session.recorder.last(HealthChanged).status is HealthStatus.OK


def fresh_session() -> Session:
    session = Session()
    for pair in PAIRS:
        session.bus.publish(book(pair, "0.5", "0.51", ts=session.clock.timestamp_ns()))
    return session


def test_a_manual_halt_keeps_the_system_ready() -> None:
    session = fresh_session()
    session.halt.halt("operator check", by="alice")

    response = TestClient(session.app()).get("/health/ready", headers=AUTH)

    assert response.status_code == 200
    halt = next(c for c in response.json()["components"] if c["name"] == "halt")
    assert halt["status"] == "OK" and "HALTED by manual" in halt["detail"]


def test_a_halt_by_failure_makes_the_system_unready() -> None:
    session = fresh_session()
    session.halt.fire("module_failure", "portfolio handler keeps failing")

    response = TestClient(session.app()).get("/health/ready", headers=AUTH)

    assert response.status_code == 503
    halt = next(c for c in response.json()["components"] if c["name"] == "halt")
    assert halt["status"] == "FAILED" and "module_failure" in halt["detail"]


def test_metrics_exposes_every_family() -> None:
    session = Session()
    StatsPoller(session.metrics, bus=session.bus).poll()  # the pull-based families, as the timer would

    text = TestClient(session.app()).get("/metrics").text
    names = {family.name for family in text_string_to_metric_families(text)}

    assert names >= EXPORTED_FAMILIES

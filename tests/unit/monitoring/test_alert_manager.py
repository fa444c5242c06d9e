"""AlertManager with in-memory channels: fan-out, severity filter, de-duplication, rate limit,
retries, isolation of a failing or hanging channel, and bus events as alerts."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Iterable

import pytest

from galfriday.core.bus import SyncBus
from galfriday.core.events import AlertRaised, HaltResumed, HaltTriggered, HealthChanged
from galfriday.core.types import AlertSeverity, HaltBehaviour, HealthStatus
from galfriday.monitoring import register_secret
from galfriday.monitoring.alerting import Alert, AlertManager, DeliveryError

T = 1_700_000_000_000_000_000


class FakeChannel:
    def __init__(self, name: str, failures: Iterable[Exception] = (), hang: bool = False) -> None:
        self.name = name
        self.sent: list[Alert] = []
        self.attempts = 0
        self.closed = False
        self._failures = deque(failures)
        self._hang = hang

    async def send(self, alert: Alert) -> None:
        self.attempts += 1
        if self._hang:
            await asyncio.Event().wait()
        if self._failures:
            raise self._failures.popleft()
        self.sent.append(alert)

    async def close(self) -> None:
        self.closed = True


def alert(
    title: str = "CPU high", severity: AlertSeverity = AlertSeverity.WARNING, message: str = "97%"
) -> Alert:
    return Alert(severity, title, message, "monitoring", T)


def manager(*channels: FakeChannel, **options: object) -> AlertManager:
    settings: dict[str, object] = {"backoff_initial_s": 0.001, "dedupe_window_s": 0.0}
    settings.update(options)
    return AlertManager(list(channels), **settings)  # type: ignore[arg-type]


async def test_fans_out_to_every_channel_above_the_minimum_severity() -> None:
    a, b = FakeChannel("a"), FakeChannel("b")
    alerts = manager(a, b, min_severity="ERROR")
    alerts.start()

    assert not alerts.submit(alert("warning only"))
    assert alerts.submit(alert("HALT", AlertSeverity.CRITICAL))
    assert await alerts.drain(1)

    assert [x.title for x in a.sent] == [x.title for x in b.sent] == ["HALT"]
    assert alerts.stats()["below_min_severity"] == 1
    await alerts.aclose()
    assert a.closed and b.closed


async def test_repeats_are_sent_once_then_summarised_with_a_count() -> None:
    channel = FakeChannel("a")
    alerts = manager(channel, dedupe_window_s=0.05)
    alerts.start()

    for percent in (95, 96, 97, 98):
        alerts.submit(alert(message=f"{percent}%"))
    assert await alerts.drain(1)
    assert [x.message for x in channel.sent] == ["95%"]

    await asyncio.sleep(0.1)  # the window ends: the sweeper sends the summary
    assert await alerts.drain(1)
    assert [(x.message, x.repeats) for x in channel.sent[1:]] == [
        ("95% [repeated 3 more time(s) within 0s]", 3)
    ]
    assert alerts.stats()["deduplicated"] == 3
    await alerts.aclose()


async def test_rate_limit_holds_back_then_reports_how_many_but_never_a_critical_alert() -> None:
    channel = FakeChannel("a")
    alerts = manager(channel, rate_limit_count=2, rate_limit_window_s=0.2)
    alerts.start()

    for i in range(5):
        alerts.submit(alert(f"warning {i}"))
    alerts.submit(alert("HALT: api_errors", AlertSeverity.CRITICAL))
    assert await alerts.drain(1)

    assert [x.title for x in channel.sent] == ["warning 0", "warning 1", "HALT: api_errors"]
    assert "3 earlier alert(s) held back" in channel.sent[-1].message
    assert alerts.stats()["a"]["rate_limited"] == 3

    alerts.submit(alert("warning 5"))  # over the limit again (the HALT used room too)
    await asyncio.sleep(0.3)
    assert [x.title for x in channel.sent[3:]] == ["Alerts held back"]
    assert "1 alert(s) were not sent" in channel.sent[3].message
    await alerts.aclose()


async def test_retries_with_backoff_then_delivers() -> None:
    flaky = FakeChannel("flaky", failures=[DeliveryError("503", retryable=True)] * 2)
    alerts = manager(flaky, max_attempts=3)
    alerts.start()

    alerts.submit(alert())
    assert await alerts.drain(1)

    assert flaky.attempts == 3 and len(flaky.sent) == 1
    assert alerts.stats()["flaky"] == {
        "sent": 1,
        "failed": 0,
        "retries": 2,
        "rate_limited": 0,
        "dropped": 0,
        "queued": 0,
    }
    await alerts.aclose()


async def test_honours_retry_after_capped_by_the_maximum_backoff() -> None:
    flaky = FakeChannel("flaky", failures=[DeliveryError("429", retryable=True, retry_after_s=60)])
    alerts = manager(flaky, backoff_max_s=0.05)
    alerts.start()
    started = time.monotonic()

    alerts.submit(alert())
    assert await alerts.drain(1)

    assert 0.05 <= time.monotonic() - started < 1 and len(flaky.sent) == 1
    await alerts.aclose()


async def test_a_failing_channel_never_breaks_the_others(caplog: pytest.LogCaptureFixture) -> None:
    register_secret("https://hooks.example/T0/B0/sekrit-token")
    refused = FakeChannel("refused", failures=[DeliveryError("slack: HTTP 404", retryable=False)])
    buggy = FakeChannel("buggy", failures=[ValueError("bad url https://hooks.example/T0/B0/sekrit-token")])
    exhausted = FakeChannel("exhausted", failures=[DeliveryError("down", retryable=True)] * 9)
    good = FakeChannel("good")
    alerts = manager(refused, buggy, exhausted, good, max_attempts=2)
    alerts.start()

    with caplog.at_level(logging.WARNING):
        alerts.submit(alert("first"))
        alerts.submit(alert("second"))
        assert await alerts.drain(2)

    assert [x.title for x in good.sent] == ["first", "second"]
    assert [x.title for x in refused.sent] == ["second"] and refused.attempts == 2
    assert [x.title for x in buggy.sent] == ["second"]
    assert exhausted.sent == [] and exhausted.attempts == 4
    stats = alerts.stats()
    assert (stats["refused"]["failed"], stats["buggy"]["failed"], stats["exhausted"]["failed"]) == (1, 1, 2)
    assert "sekrit-token" not in caplog.text and "buggy failed unexpectedly (ValueError" in caplog.text
    await alerts.aclose()


async def test_submit_never_waits_for_a_hanging_channel() -> None:
    hanging = FakeChannel("hanging", hang=True)
    good = FakeChannel("good")
    alerts = manager(hanging, good, queue_size=2)
    alerts.start()

    submit_time = 0.0
    for i in range(5):
        started = time.perf_counter()
        alerts.submit(alert(f"alert {i}"))
        submit_time += time.perf_counter() - started
        await asyncio.sleep(0.005)  # the loop runs on; the hanging send never returns

    assert submit_time < 0.05
    assert len(good.sent) == 5
    assert alerts.stats()["hanging"]["dropped"] == 2  # 1 in flight, 2 queued, the rest dropped
    assert not await alerts.drain(0.05)
    await alerts.aclose(timeout_s=0.05)


async def test_bus_events_become_alerts() -> None:
    channel = FakeChannel("a")
    alerts = manager(channel, min_severity="INFO")
    bus = SyncBus()
    alerts.attach(bus)
    alerts.start()

    bus.publish(
        HaltTriggered(
            ts_event=T,
            ts_init=T,
            trigger="daily_drawdown",
            reason="drawdown 2.1%",
            behaviour=HaltBehaviour.CLOSE,
        )
    )
    bus.publish(
        HealthChanged(
            ts_event=T, ts_init=T, component="database", status=HealthStatus.FAILED, detail="refused"
        )
    )
    bus.publish(HealthChanged(ts_event=T, ts_init=T, component="api", status=HealthStatus.DEGRADED))
    bus.publish(HealthChanged(ts_event=T, ts_init=T, component="database", status=HealthStatus.OK))
    bus.publish(
        AlertRaised(
            ts_event=T,
            ts_init=T,
            severity=AlertSeverity.WARNING,
            title="Loss streak",
            message="3 losses",
            source="risk.halt",
        )
    )
    bus.publish(HaltResumed(ts_event=T, ts_init=T, resumed_by="alice"))
    assert await alerts.drain(1)

    assert [(x.severity, x.title) for x in channel.sent] == [
        (AlertSeverity.CRITICAL, "HALT: daily_drawdown"),
        (AlertSeverity.CRITICAL, "Health database: FAILED"),
        (AlertSeverity.WARNING, "Health api: DEGRADED"),
        (AlertSeverity.INFO, "Health database: OK"),
        (AlertSeverity.WARNING, "Loss streak"),
        (AlertSeverity.WARNING, "Trading resumed"),
    ]
    assert "drawdown 2.1%" in channel.sent[0].message and "galfriday resume" in channel.sent[0].message
    await alerts.aclose()


async def test_close_sends_the_pending_repeat_summaries() -> None:
    channel = FakeChannel("a")
    alerts = manager(channel, dedupe_window_s=300)
    alerts.start()
    for _ in range(3):
        alerts.submit(alert())

    await alerts.aclose()

    assert [x.repeats for x in channel.sent] == [0, 2]


def test_channel_names_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        AlertManager([FakeChannel("webhook"), FakeChannel("webhook")])

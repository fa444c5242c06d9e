"""All five channels through one AlertManager, some failing: every alert reaches every working
channel, and no URL, token or password appears in any log line or error."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from galfriday.core.bus import SyncBus
from galfriday.core.events import HaltTriggered
from galfriday.core.types import HaltBehaviour
from galfriday.monitoring.alerting import (
    AlertManager,
    DiscordChannel,
    EmailChannel,
    SlackChannel,
    SmsChannel,
    WebhookChannel,
)
from tests.integration.monitoring._servers import CaptureServer, SmtpServer, free_port

T = 1_767_225_600_000_000_000
SID = "AC0123456789abcdef0123456789abcdef"
SECRETS = {
    "slack": "slack-hook-secret-5d1f",
    "discord": "discord-hook-secret-77aa",
    "webhook": "webhook-hmac-secret-90ab",
    "webhook_path": "generic-token-path-4c4c",
    "twilio": "twilio-auth-token-31e2",
    "smtp": "smtp-password-62bd",
    "dead": "dead-hook-secret-0f0f",
}


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_fan_out_survives_failing_channels_and_logs_no_secret(
    http_server: CaptureServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp = SmtpServer(user="alerts", password=SECRETS["smtp"])
    smtp.start()
    base = http_server.base_url
    http_server.script("/discord/" + SECRETS["discord"], (204, ""))
    http_server.script(f"/2010-04-01/Accounts/{SID}/Messages.json", (401, "bad token " + SECRETS["twilio"]))
    channels = [
        SlackChannel(SecretStr(f"{base}/slack/{SECRETS['slack']}")),
        DiscordChannel(SecretStr(f"{base}/discord/{SECRETS['discord']}")),
        WebhookChannel(f"{base}/hook/{SECRETS['webhook_path']}", secret=SecretStr(SECRETS["webhook"])),
        SmsChannel(SID, SecretStr(SECRETS["twilio"]), "+15550001111", ["+15552223333"], base_url=base),
        EmailChannel(
            "127.0.0.1",
            smtp.port,
            "g@example.com",
            ["ops@example.com"],
            user="alerts",
            password=SecretStr(SECRETS["smtp"]),
            starttls=False,
        ),
        WebhookChannel(
            f"http://127.0.0.1:{free_port()}/dead/{SECRETS['dead']}", name="webhook-dead", timeout_s=2
        ),
    ]
    alerts = AlertManager(channels, backoff_initial_s=0.01, max_attempts=2)
    bus = SyncBus()
    alerts.attach(bus)
    alerts.start()

    with caplog.at_level(logging.DEBUG):
        bus.publish(
            HaltTriggered(
                ts_event=T,
                ts_init=T,
                trigger="api_errors",
                reason="5 errors in 60s",
                behaviour=HaltBehaviour.CLOSE,
            )
        )
        assert await alerts.drain(10)
        await alerts.aclose()
    smtp.stop()

    stats = alerts.stats()
    assert {name: stats[name]["sent"] for name in ("slack", "discord", "webhook", "email")} == dict.fromkeys(
        ("slack", "discord", "webhook", "email"), 1
    )
    assert stats["sms"]["failed"] == 1 and stats["webhook-dead"]["failed"] == 1
    assert len(smtp.messages) == 1 and len(http_server.requests) == 4
    logged = caplog.text + "".join(repr(r.__dict__) for r in caplog.records)
    for name, secret in SECRETS.items():
        assert secret not in logged, f"{name} secret leaked into the log"
    assert "sms" in caplog.text and "HTTP 401" in caplog.text  # the failure itself is reported

"""Every alert channel against a real local server: the exact request, retries, and isolation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from pydantic import SecretStr

from galfriday.core.types import AlertSeverity
from galfriday.monitoring.alerting import (
    SIGNATURE_HEADER,
    Alert,
    AlertManager,
    DeliveryError,
    DiscordChannel,
    EmailChannel,
    SlackChannel,
    SmsChannel,
    WebhookChannel,
)
from tests.integration.monitoring._servers import CaptureServer, SmtpServer, free_port

T = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z
HALT = Alert(
    AlertSeverity.CRITICAL, "HALT: daily_drawdown", "daily drawdown 2.10% (limit 2%)", "risk.halt", T
)
SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "twilio-auth-token-9f8e7d6c5b4a"


async def test_slack_gets_text_and_blocks(http_server: CaptureServer) -> None:
    channel = SlackChannel(SecretStr(f"{http_server.base_url}/services/T000/B000/slacksecret"))
    await channel.send(HALT)
    await channel.close()

    (request,) = http_server.received("/services/T000/B000/slacksecret")
    assert request.method == "POST" and request.headers["Content-Type"].startswith("application/json")
    body = request.json()
    assert body["text"] == ":rotating_light: [CRITICAL] HALT: daily_drawdown: daily drawdown 2.10% (limit 2%)"
    header, section, context = body["blocks"]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": "CRITICAL: HALT: daily_drawdown"},
    }
    assert section["text"] == {"type": "mrkdwn", "text": "daily drawdown 2.10% (limit 2%)"}
    assert context["elements"][0]["text"] == "Gal-Friday · risk.halt · 2026-01-01 00:00:00 UTC"


async def test_discord_gets_content_and_an_embed_that_cannot_ping(http_server: CaptureServer) -> None:
    http_server.script("/api/webhooks/1/discordsecret", (204, ""))
    channel = DiscordChannel(SecretStr(f"{http_server.base_url}/api/webhooks/1/discordsecret"))
    await channel.send(HALT)
    await channel.close()

    body = http_server.received("/api/webhooks/1/discordsecret")[0].json()
    assert body["content"] == "**[CRITICAL] HALT: daily_drawdown**"
    (embed,) = body["embeds"]
    assert embed["title"] == "HALT: daily_drawdown" and embed["description"] == HALT.message
    assert embed["color"] == 0xE74C3C and embed["timestamp"] == "2026-01-01T00:00:00+00:00"
    assert embed["footer"] == {"text": "Gal-Friday · risk.halt"}
    assert body["allowed_mentions"] == {"parse": []}


async def test_webhook_body_is_signed_with_hmac_sha256(http_server: CaptureServer) -> None:
    secret = "webhook-signing-secret-123"
    signed = WebhookChannel(f"{http_server.base_url}/signed", secret=SecretStr(secret))
    unsigned = WebhookChannel(f"{http_server.base_url}/plain", name="webhook-2")
    await signed.send(HALT)
    await unsigned.send(HALT)
    await signed.close()
    await unsigned.close()

    (request,) = http_server.received("/signed")
    expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers[SIGNATURE_HEADER] == expected
    assert request.json() == {
        "severity": "CRITICAL",
        "title": "HALT: daily_drawdown",
        "message": "daily drawdown 2.10% (limit 2%)",
        "source": "risk.halt",
        "ts_ns": T,
        "time": "2026-01-01T00:00:00+00:00",
        "repeats": 0,
    }
    assert SIGNATURE_HEADER not in http_server.received("/plain")[0].headers


async def test_sms_posts_a_twilio_form_per_recipient_with_basic_auth(http_server: CaptureServer) -> None:
    path = f"/2010-04-01/Accounts/{SID}/Messages.json"
    http_server.script(path, (201, "{}"), (201, "{}"))
    channel = SmsChannel(
        SID, SecretStr(TOKEN), "+15550001111", ["+15552223333", "+15554445555"], base_url=http_server.base_url
    )
    await channel.send(HALT)
    await channel.close()

    requests = http_server.received(path)
    assert [r.form()["To"] for r in requests] == ["+15552223333", "+15554445555"]
    form = requests[0].form()
    assert form == {"To": "+15552223333", "From": "+15550001111", "Body": HALT.one_line()}
    assert (
        requests[0].headers["Authorization"]
        == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    )


async def test_sms_retry_reaches_only_the_recipients_not_reached_yet(http_server: CaptureServer) -> None:
    path = f"/2010-04-01/Accounts/{SID}/Messages.json"
    http_server.script(path, (201, "{}"), (503, "busy"), (201, "{}"))
    channel = SmsChannel(
        SID, SecretStr(TOKEN), "+15550001111", ["+15552223333", "+15554445555"], base_url=http_server.base_url
    )

    with pytest.raises(DeliveryError) as failed:
        await channel.send(HALT)
    assert failed.value.retryable and "1 of 2 recipient(s)" in str(failed.value)
    await channel.send(HALT)
    await channel.close()

    assert [r.form()["To"] for r in http_server.received(path)] == [
        "+15552223333",
        "+15554445555",
        "+15554445555",
    ]


async def test_http_status_decides_whether_to_retry(http_server: CaptureServer) -> None:
    http_server.script(
        "/hook", (500, "oops"), (429, "slow down", {"Retry-After": "7"}), (400, "invalid_payload")
    )
    channel = WebhookChannel(f"{http_server.base_url}/hook")

    outcomes = []
    for _ in range(3):
        with pytest.raises(DeliveryError) as failed:
            await channel.send(HALT)
        outcomes.append((failed.value.retryable, failed.value.retry_after_s))
    await channel.close()

    assert outcomes == [(True, None), (True, 7.0), (False, None)]
    assert "invalid_payload" in str(failed.value)


async def test_connection_refused_is_retryable_and_names_no_url() -> None:
    url = f"http://127.0.0.1:{free_port()}/services/T/B/refusedsecret"
    channel = SlackChannel(SecretStr(url))

    with pytest.raises(DeliveryError) as failed:
        await channel.send(HALT)
    await channel.close()

    assert failed.value.retryable and "refusedsecret" not in str(failed.value)


async def test_email_reaches_the_smtp_server(smtp_server: SmtpServer) -> None:
    channel = EmailChannel(
        "127.0.0.1",
        smtp_server.port,
        "galfriday@example.com",
        ["ops@example.com", "oncall@example.com"],
        starttls=False,
    )
    await channel.send(HALT)

    ((envelope, message),) = smtp_server.messages
    assert envelope.mail_from == "galfriday@example.com"
    assert envelope.rcpt_tos == ["ops@example.com", "oncall@example.com"]
    assert message["Subject"] == "[Gal-Friday CRITICAL] HALT: daily_drawdown"
    assert message["To"] == "ops@example.com, oncall@example.com"
    body = message.get_payload(decode=True).decode()
    assert "daily drawdown 2.10% (limit 2%)" in body and "Source: risk.halt" in body


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_email_logs_in_and_a_refused_login_is_not_retried() -> None:
    server = SmtpServer(user="alerts", password="smtp-password-xyz")
    server.start()
    try:
        good = EmailChannel(
            "127.0.0.1",
            server.port,
            "g@example.com",
            ["ops@example.com"],
            user="alerts",
            password=SecretStr("smtp-password-xyz"),
            starttls=False,
        )
        await good.send(HALT)
        bad = EmailChannel(
            "127.0.0.1",
            server.port,
            "g@example.com",
            ["ops@example.com"],
            user="alerts",
            password=SecretStr("wrong-password-abc"),
            starttls=False,
        )
        with pytest.raises(DeliveryError) as failed:
            await bad.send(HALT)
    finally:
        server.stop()

    assert len(server.messages) == 1
    assert not failed.value.retryable and "refused the login" in str(failed.value)
    assert "wrong-password-abc" not in str(failed.value)


async def test_email_to_a_closed_port_is_retryable() -> None:
    channel = EmailChannel(
        "127.0.0.1", free_port(), "g@example.com", ["ops@example.com"], starttls=False, timeout_s=2
    )

    with pytest.raises(DeliveryError) as failed:
        await channel.send(HALT)

    assert failed.value.retryable


async def test_manager_retries_a_5xx_and_delivers(http_server: CaptureServer) -> None:
    http_server.script("/hook", (502, "bad gateway"), (503, "unavailable"))
    alerts = AlertManager([WebhookChannel(f"{http_server.base_url}/hook")], backoff_initial_s=0.01)
    alerts.start()

    alerts.submit(HALT)
    assert await alerts.drain(5)
    await alerts.aclose()

    assert len(http_server.received("/hook")) == 3
    assert alerts.stats()["webhook"]["sent"] == 1 and alerts.stats()["webhook"]["retries"] == 2


async def test_rate_limit_and_dedupe_on_a_real_channel(http_server: CaptureServer) -> None:
    alerts = AlertManager(
        [WebhookChannel(f"{http_server.base_url}/hook")],
        rate_limit_count=2,
        rate_limit_window_s=60,
        dedupe_window_s=60,
    )
    alerts.start()

    for i in range(3):
        alerts.submit(Alert(AlertSeverity.WARNING, "CPU high", f"{90 + i}%", "monitoring", T))
    for title in ("Memory high", "Event-loop lag high"):
        alerts.submit(Alert(AlertSeverity.WARNING, title, "x", "monitoring", T))
    assert await alerts.drain(5)
    await alerts.aclose()  # sends the pending "repeated" summary: over the limit, held back

    sent = [json.loads(r.body)["title"] for r in http_server.received("/hook")]
    assert sent == ["CPU high", "Memory high"]
    assert alerts.stats()["webhook"]["rate_limited"] == 2
    assert alerts.stats()["deduplicated"] == 2

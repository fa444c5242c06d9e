"""Channels and the AlertManager built from AlertingSettings: only enabled channels, config limits."""

from __future__ import annotations

from galfriday.config.sections.alerting import AlertingSettings
from galfriday.core.types import AlertSeverity
from galfriday.monitoring.alerting import (
    Alert,
    DiscordChannel,
    EmailChannel,
    SlackChannel,
    SmsChannel,
    WebhookChannel,
    alert_manager_from_settings,
    channels_from_settings,
)


def test_nothing_is_enabled_by_default() -> None:
    assert channels_from_settings(AlertingSettings()) == []


def test_every_enabled_channel_is_built_in_order() -> None:
    settings = AlertingSettings.model_validate(
        {
            "min_severity": "ERROR",
            "rate_limit_count": 3,
            "email": {
                "enabled": True,
                "smtp_host": "smtp.example.com",
                "from_address": "g@example.com",
                "to_addresses": ["ops@example.com"],
                "smtp_user": "u",
                "smtp_password": "pw-123456",
            },
            "sms": {
                "enabled": True,
                "account_sid": "AC1",
                "auth_token": "tok-123456",
                "from_number": "+15550001111",
                "to_numbers": ["+15552223333"],
            },
            "slack": {"enabled": True, "webhook_url": "https://hooks.slack.com/services/T/B/x"},
            "discord": {"enabled": False, "webhook_url": "https://discord.com/api/webhooks/1/y"},
            "webhooks": [
                {"url": "https://a.example/hook"},
                {"url": "https://b.example/hook", "secret": "s-123456"},
            ],
        }
    )

    channels = channels_from_settings(settings)
    assert [type(c) for c in channels] == [
        EmailChannel,
        SmsChannel,
        SlackChannel,
        WebhookChannel,
        WebhookChannel,
    ]
    assert [c.name for c in channels] == ["email", "sms", "slack", "webhook", "webhook-2"]
    assert not any(isinstance(c, DiscordChannel) for c in channels)

    manager = alert_manager_from_settings(settings, dedupe_window_s=10)
    assert manager.channel_names == ("email", "sms", "slack", "webhook", "webhook-2")
    assert not manager.submit(Alert(AlertSeverity.WARNING, "below ERROR", "not sent"))

"""Build the ``AlertManager`` and its channels from ``AlertingSettings`` (only enabled channels).

The configuration has already checked that an enabled channel is complete, so a missing value
here is a programming error, not a user one. Webhooks are named ``webhook``, ``webhook-2``, …
in configuration order, which is how their log lines and stats tell them apart.
"""

from __future__ import annotations

from typing import Any

from galfriday.config.sections.alerting import AlertingSettings
from galfriday.monitoring.alerting.channel import Channel
from galfriday.monitoring.alerting.discord import DiscordChannel
from galfriday.monitoring.alerting.email import EmailChannel
from galfriday.monitoring.alerting.manager import AlertManager
from galfriday.monitoring.alerting.slack import SlackChannel
from galfriday.monitoring.alerting.sms import TWILIO_API, SmsChannel
from galfriday.monitoring.alerting.webhook import WebhookChannel


def channels_from_settings(
    settings: AlertingSettings, *, sms_base_url: str = TWILIO_API, timeout_s: float = 10.0
) -> list[Channel]:
    channels: list[Channel] = []
    email = settings.email
    if email.enabled:
        assert email.smtp_host and email.from_address
        channels.append(
            EmailChannel(
                email.smtp_host,
                email.smtp_port,
                email.from_address,
                email.to_addresses,
                user=email.smtp_user,
                password=email.smtp_password,
                starttls=email.starttls,
                timeout_s=timeout_s,
            )
        )
    sms = settings.sms
    if sms.enabled:
        assert sms.account_sid and sms.auth_token and sms.from_number
        channels.append(
            SmsChannel(
                sms.account_sid,
                sms.auth_token,
                sms.from_number,
                sms.to_numbers,
                base_url=sms_base_url,
                timeout_s=timeout_s,
            )
        )
    if settings.slack.enabled:
        assert settings.slack.webhook_url is not None
        channels.append(SlackChannel(settings.slack.webhook_url, timeout_s=timeout_s))
    if settings.discord.enabled:
        assert settings.discord.webhook_url is not None
        channels.append(DiscordChannel(settings.discord.webhook_url, timeout_s=timeout_s))
    for index, hook in enumerate(settings.webhooks, start=1):
        name = "webhook" if index == 1 else f"webhook-{index}"
        channels.append(WebhookChannel(hook.url, secret=hook.secret, name=name, timeout_s=timeout_s))
    return channels


def alert_manager_from_settings(
    settings: AlertingSettings, *, sms_base_url: str = TWILIO_API, **options: Any
) -> AlertManager:
    """``options`` are AlertManager's tuning knobs not in the configuration (dedupe window, retries)."""
    return AlertManager(
        channels_from_settings(settings, sms_base_url=sms_base_url),
        min_severity=settings.min_severity,
        rate_limit_count=settings.rate_limit_count,
        rate_limit_window_s=settings.rate_limit_window_s,
        **options,
    )

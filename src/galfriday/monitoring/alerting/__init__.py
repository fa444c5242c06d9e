"""Alerting: one ``AlertManager`` fanning alerts out to e-mail, SMS, Slack, Discord and webhooks.

- ``alert``: the ``Alert`` value and how bus events (AlertRaised, HaltTriggered, HaltResumed,
  HealthChanged) become alerts.
- ``channel``: the channel protocol and ``DeliveryError``; ``http_post``: the shared HTTP sender.
- ``email`` / ``sms`` / ``slack`` / ``discord`` / ``webhook``: one channel each.
- ``throttle``: rate limit and de-duplication; ``manager``: queues, workers, retries.
- ``factory``: build it all from ``AlertingSettings``.
"""

from galfriday.monitoring.alerting.alert import Alert, alert_from_event
from galfriday.monitoring.alerting.channel import Channel, DeliveryError
from galfriday.monitoring.alerting.discord import DiscordChannel
from galfriday.monitoring.alerting.email import EmailChannel
from galfriday.monitoring.alerting.factory import alert_manager_from_settings, channels_from_settings
from galfriday.monitoring.alerting.manager import AlertManager, ChannelStats
from galfriday.monitoring.alerting.slack import SlackChannel
from galfriday.monitoring.alerting.sms import SmsChannel
from galfriday.monitoring.alerting.webhook import SIGNATURE_HEADER, WebhookChannel

__all__ = [
    "SIGNATURE_HEADER",
    "Alert",
    "AlertManager",
    "Channel",
    "ChannelStats",
    "DeliveryError",
    "DiscordChannel",
    "EmailChannel",
    "SlackChannel",
    "SmsChannel",
    "WebhookChannel",
    "alert_from_event",
    "alert_manager_from_settings",
    "channels_from_settings",
]

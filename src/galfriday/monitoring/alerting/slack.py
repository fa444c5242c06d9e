"""Slack incoming webhook: ``{text, blocks}`` — ``text`` is the notification fallback."""

from __future__ import annotations

from pydantic import SecretStr

from galfriday.monitoring.alerting.alert import Alert
from galfriday.monitoring.alerting.http_post import HttpPoster
from galfriday.monitoring.redaction import register_secret

_ICON = {"INFO": ":information_source:", "WARNING": ":warning:", "CRITICAL": ":rotating_light:"}


def slack_payload(alert: Alert) -> dict[str, object]:
    severity = alert.severity.value
    footer = f"Gal-Friday · {alert.source or 'system'} · {alert.when:%Y-%m-%d %H:%M:%S} UTC"
    return {
        "text": f"{_ICON.get(severity, '')} {alert.one_line()}".strip(),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": f"{severity}: {alert.title}"[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": alert.message[:3000]}},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": footer}],
            },
        ],
    }


class SlackChannel:
    name = "slack"

    def __init__(self, webhook_url: SecretStr, *, timeout_s: float = 10.0) -> None:
        register_secret(webhook_url.get_secret_value())
        self._url = webhook_url
        self._http = HttpPoster(self.name, timeout_s=timeout_s)

    async def send(self, alert: Alert) -> None:
        await self._http.post(self._url.get_secret_value(), json=slack_payload(alert))

    async def close(self) -> None:
        await self._http.close()

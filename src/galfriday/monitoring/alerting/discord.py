"""Discord webhook: ``{content, embeds}``, with mentions disabled so an alert text cannot ping."""

from __future__ import annotations

from pydantic import SecretStr

from galfriday.monitoring.alerting.alert import Alert
from galfriday.monitoring.alerting.http_post import HttpPoster
from galfriday.monitoring.redaction import register_secret

_COLOUR = {"INFO": 0x3498DB, "WARNING": 0xF1C40F, "CRITICAL": 0xE74C3C}


def discord_payload(alert: Alert) -> dict[str, object]:
    severity = alert.severity.value
    return {
        "content": f"**[{severity}] {alert.title}**"[:2000],
        "embeds": [
            {
                "title": alert.title[:256],
                "description": alert.message[:4096],
                "color": _COLOUR.get(severity, 0x95A5A6),
                "timestamp": alert.when.isoformat(),
                "footer": {"text": f"Gal-Friday · {alert.source or 'system'}"[:2048]},
            }
        ],
        "allowed_mentions": {"parse": []},
    }


class DiscordChannel:
    name = "discord"

    def __init__(self, webhook_url: SecretStr, *, timeout_s: float = 10.0) -> None:
        register_secret(webhook_url.get_secret_value())
        self._url = webhook_url
        self._http = HttpPoster(self.name, timeout_s=timeout_s)

    async def send(self, alert: Alert) -> None:
        await self._http.post(self._url.get_secret_value(), json=discord_payload(alert))

    async def close(self) -> None:
        await self._http.close()

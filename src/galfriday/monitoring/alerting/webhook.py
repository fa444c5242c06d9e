"""Generic JSON webhook, signed with HMAC-SHA256 when a secret is configured.

The receiver verifies ``X-GalFriday-Signature: sha256=<hex>`` by computing
``HMAC-SHA256(secret, raw request body)``; the body carries the alert's time, so a verifier can
also refuse old replays.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from pydantic import SecretStr

from galfriday.monitoring.alerting.alert import Alert
from galfriday.monitoring.alerting.http_post import HttpPoster
from galfriday.monitoring.redaction import register_secret

SIGNATURE_HEADER = "X-GalFriday-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookChannel:
    def __init__(
        self, url: str, *, secret: SecretStr | None = None, name: str = "webhook", timeout_s: float = 10.0
    ) -> None:
        self.name = name
        register_secret(url)  # endpoints often carry a token in their path or query
        if secret is not None:
            register_secret(secret.get_secret_value())
        self._url = url
        self._secret = secret
        self._http = HttpPoster(name, timeout_s=timeout_s)

    async def send(self, alert: Alert) -> None:
        body = json.dumps(alert.to_json(), separators=(",", ":"), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if self._secret is not None:
            headers[SIGNATURE_HEADER] = sign(self._secret.get_secret_value(), body)
        await self._http.post(self._url, data=body, headers=headers)

    async def close(self) -> None:
        await self._http.close()

"""POST to a notification service over aiohttp and classify the outcome as a ``DeliveryError``.

The Slack, Discord, webhook and SMS channels differ only in payload; connection handling, status
classification and keeping URLs out of error messages are the same, so they live here once. The
session is created on first use, inside the running loop that sends.
"""

from __future__ import annotations

import aiohttp

from galfriday.monitoring.alerting.channel import DeliveryError
from galfriday.monitoring.redaction import DEFAULT_REDACTOR

_MAX_DETAIL = 200


class HttpPoster:
    def __init__(self, channel: str, *, timeout_s: float = 10.0) -> None:
        self.channel = channel
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def post(
        self,
        url: str,
        *,
        json: object = None,
        data: bytes | dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Send one request; return on 2xx, raise ``DeliveryError`` otherwise."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.post(url, json=json, data=data, headers=headers) as response:
                if 200 <= response.status < 300:
                    return
                body = await response.text(errors="replace")
                raise _status_error(self.channel, response.status, response.headers.get("Retry-After"), body)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            # str(exc) of a connection error names the host and sometimes the URL: not shown.
            raise DeliveryError(
                f"{self.channel}: could not reach the service ({type(exc).__name__}); "
                "check the network and the channel's URL in the configuration",
                retryable=True,
            ) from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _status_error(channel: str, status: int, retry_after: str | None, body: str) -> DeliveryError:
    detail = DEFAULT_REDACTOR.redact_text(" ".join(body.split())[:_MAX_DETAIL])
    if status == 429 or status >= 500:
        return DeliveryError(
            f"{channel}: HTTP {status} from the service: {detail}",
            retryable=True,
            retry_after_s=_seconds(retry_after),
        )
    return DeliveryError(
        f"{channel}: HTTP {status} from the service: {detail}; check the channel's credentials and URL",
        retryable=False,
    )


def _seconds(header: str | None) -> float | None:
    try:
        return max(0.0, float(header)) if header else None
    except ValueError:
        return None

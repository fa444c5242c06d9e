"""SMS through Twilio's Messages API (or any service speaking it, at a configurable base URL).

``POST {base}/2010-04-01/Accounts/{sid}/Messages.json`` with form fields ``To``, ``From`` and
``Body``, HTTP basic auth ``sid:token``; one request per recipient. When some recipients fail
with a retryable error, a retry of the same alert goes only to those not reached yet, so nobody
gets the same text twice.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import aiohttp
from pydantic import SecretStr

from galfriday.monitoring.alerting.alert import Alert
from galfriday.monitoring.alerting.channel import DeliveryError
from galfriday.monitoring.alerting.http_post import HttpPoster
from galfriday.monitoring.redaction import register_secret

TWILIO_API = "https://api.twilio.com"
SMS_MAX_CHARS = 1600  # Twilio's limit for one message body
_MAX_PENDING = 100  # alerts with recipients still to reach, kept for their retries


class SmsChannel:
    name = "sms"

    def __init__(
        self,
        account_sid: str,
        auth_token: SecretStr,
        from_number: str,
        to_numbers: Sequence[str],
        *,
        base_url: str = TWILIO_API,
        timeout_s: float = 10.0,
    ) -> None:
        if not to_numbers:
            raise ValueError("SmsChannel needs at least one recipient number (alerting.sms.to_numbers)")
        register_secret(auth_token.get_secret_value())
        self._url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._auth = {"Authorization": aiohttp.encode_basic_auth(account_sid, auth_token.get_secret_value())}
        self._from = from_number
        self._to = tuple(to_numbers)
        self._unreached: OrderedDict[Alert, tuple[str, ...]] = OrderedDict()
        self._http = HttpPoster(self.name, timeout_s=timeout_s)

    async def send(self, alert: Alert) -> None:
        recipients = self._unreached.pop(alert, self._to)
        body = alert.one_line()[:SMS_MAX_CHARS]
        failures: list[tuple[str, DeliveryError]] = []
        for number in recipients:
            try:
                await self._http.post(
                    self._url, data={"To": number, "From": self._from, "Body": body}, headers=self._auth
                )
            except DeliveryError as exc:
                failures.append((number, exc))
        if not failures:
            return
        retryable = [number for number, exc in failures if exc.retryable]
        if retryable:
            self._unreached[alert] = tuple(retryable)
            if len(self._unreached) > _MAX_PENDING:
                self._unreached.popitem(last=False)
        raise DeliveryError(
            f"sms: {len(failures)} of {len(recipients)} recipient(s) not reached: {failures[0][1]}",
            retryable=bool(retryable),
            retry_after_s=max((exc.retry_after_s or 0.0 for _, exc in failures), default=None) or None,
        )

    async def close(self) -> None:
        await self._http.close()

"""E-mail over SMTP (STARTTLS on 587 by default, implicit TLS on 465, plain for a local relay).

``smtplib`` blocks, so each message is sent from a worker thread (``asyncio.to_thread``); the
event loop keeps trading while a slow mail server answers. One message goes to every recipient.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from pydantic import SecretStr

from galfriday.monitoring.alerting.alert import Alert
from galfriday.monitoring.alerting.channel import DeliveryError
from galfriday.monitoring.redaction import register_secret

IMPLICIT_TLS_PORT = 465


def email_message(alert: Alert, from_address: str, to_addresses: Sequence[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"[Gal-Friday {alert.severity.value}] {alert.title}"
    message["From"] = from_address
    message["To"] = ", ".join(to_addresses)
    message["Date"] = format_datetime(alert.when)
    message["Message-ID"] = make_msgid(domain="galfriday.local")
    message.set_content(
        f"{alert.message}\n\nSeverity: {alert.severity.value}\nSource: {alert.source or 'system'}\n"
        f"Time: {alert.when:%Y-%m-%d %H:%M:%S} UTC\n"
    )
    return message


class EmailChannel:
    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        from_address: str,
        to_addresses: Sequence[str],
        *,
        user: str | None = None,
        password: SecretStr | None = None,
        starttls: bool = True,
        timeout_s: float = 10.0,
    ) -> None:
        if not to_addresses:
            raise ValueError("EmailChannel needs at least one recipient (alerting.email.to_addresses)")
        if password is not None:
            register_secret(password.get_secret_value())
        self._host = host
        self._port = port
        self._from = from_address
        self._to = tuple(to_addresses)
        self._user = user
        self._password = password
        self._starttls = starttls and port != IMPLICIT_TLS_PORT
        self._timeout_s = timeout_s

    async def send(self, alert: Alert) -> None:
        await asyncio.to_thread(self._send_blocking, email_message(alert, self._from, self._to))

    async def close(self) -> None:
        """Nothing held open: each message uses its own SMTP connection."""

    def _send_blocking(self, message: EmailMessage) -> None:
        try:
            with self._connect() as smtp:
                if self._starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self._user and self._password is not None:
                    smtp.login(self._user, self._password.get_secret_value())
                smtp.send_message(message)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"email: the SMTP server refused the login (code {exc.smtp_code}); "
                "check alerting.email.smtp_user and smtp_password",
                retryable=False,
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"email: the SMTP server answered {exc.smtp_code}", retryable=400 <= exc.smtp_code < 500
            ) from None
        except smtplib.SMTPRecipientsRefused:
            raise DeliveryError(
                "email: the SMTP server refused every recipient; check alerting.email.to_addresses",
                retryable=False,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(
                f"email: could not talk to the SMTP server {self._host}:{self._port} ({type(exc).__name__}); "
                "check smtp_host, smtp_port and starttls",
                retryable=True,
            ) from None

    def _connect(self) -> smtplib.SMTP:
        if self._port == IMPLICIT_TLS_PORT:
            return smtplib.SMTP_SSL(
                self._host, self._port, timeout=self._timeout_s, context=ssl.create_default_context()
            )
        return smtplib.SMTP(self._host, self._port, timeout=self._timeout_s)

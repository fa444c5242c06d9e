"""Alert channels. Every channel is off until enabled; an enabled channel must be complete."""

from __future__ import annotations

import re
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from galfriday.config.base import (
    ConfigModel,
    HttpUrl,
    OptionalSecret,
    OptionalText,
    Violation,
    enforce,
    rule,
    url_with_scheme,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("must be an e-mail address like ops@example.com")
    return value


def _phone(value: str) -> str:
    if not _PHONE.match(value):
        raise ValueError("must be an E.164 phone number like +15551234567")
    return value


Email = Annotated[str, AfterValidator(_email)]
Phone = Annotated[str, AfterValidator(_phone)]
HttpsSecretUrl = Annotated[OptionalSecret, AfterValidator(url_with_scheme("https"))]
Severity = Literal["INFO", "WARNING", "ERROR", "CRITICAL"]


def _required(model: ConfigModel, *keys: str) -> tuple[Violation | None, ...]:
    """Rules saying each key must be set (non-empty) because the channel is enabled."""
    return tuple(
        rule(bool(getattr(model, key)), key, "is required when the channel is enabled") for key in keys
    )


class EmailChannel(ConfigModel):
    """SMTP e-mail."""

    enabled: bool = Field(False, description="Send alerts by e-mail.")
    smtp_host: OptionalText = Field(None, description="SMTP server.")
    smtp_port: int = Field(587, ge=1, le=65_535, description="SMTP port (587 = STARTTLS, 465 = TLS).")
    starttls: bool = Field(True, description="Upgrade the connection with STARTTLS.")
    smtp_user: OptionalText = Field(None, description="SMTP login, if the server needs one.")
    smtp_password: OptionalSecret = Field(None, description="SMTP password; use ${SMTP_PASSWORD}.")
    from_address: Email | None = Field(None, description="Sender address.")
    to_addresses: tuple[Email, ...] = Field((), description="Recipients.")

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.enabled:
            enforce(*_required(self, "smtp_host", "from_address", "to_addresses"))
        return self


class SmsChannel(ConfigModel):
    """SMS through a provider's HTTP API."""

    enabled: bool = Field(False, description="Send alerts by SMS.")
    provider: Literal["twilio"] = Field("twilio", description="SMS provider.")
    account_sid: OptionalText = Field(None, description="Provider account id.")
    auth_token: OptionalSecret = Field(None, description="Provider token; use ${TWILIO_AUTH_TOKEN}.")
    from_number: Phone | None = Field(None, description="Sender number (E.164).")
    to_numbers: tuple[Phone, ...] = Field((), description="Recipients (E.164).")

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.enabled:
            enforce(*_required(self, "account_sid", "auth_token", "from_number", "to_numbers"))
        return self


class SlackChannel(ConfigModel):
    """A Slack incoming webhook."""

    enabled: bool = Field(False, description="Post alerts to Slack.")
    webhook_url: HttpsSecretUrl = Field(
        None, description="Incoming-webhook URL (a secret); use ${SLACK_WEBHOOK_URL}."
    )

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.enabled:
            enforce(*_required(self, "webhook_url"))
        return self


class DiscordChannel(ConfigModel):
    """A Discord webhook."""

    enabled: bool = Field(False, description="Post alerts to Discord.")
    webhook_url: HttpsSecretUrl = Field(
        None, description="Webhook URL (a secret); use ${DISCORD_WEBHOOK_URL}."
    )

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.enabled:
            enforce(*_required(self, "webhook_url"))
        return self


class WebhookChannel(ConfigModel):
    """A generic JSON webhook; with a secret each request carries an HMAC-SHA256 signature."""

    url: HttpUrl = Field(..., description="Endpoint receiving a POST per alert.")
    secret: OptionalSecret = Field(None, description="HMAC signing secret.")


class AlertingSettings(ConfigModel):
    """Which alerts go out, where, and how many at most."""

    min_severity: Severity = Field("WARNING", description="Alerts below this severity are only logged.")
    rate_limit_count: int = Field(10, ge=1, description="At most this many alerts per channel per window.")
    rate_limit_window_s: float = Field(60.0, gt=0, description="Rate-limit window.")
    email: EmailChannel = Field(default_factory=EmailChannel)
    sms: SmsChannel = Field(default_factory=SmsChannel)
    slack: SlackChannel = Field(default_factory=SlackChannel)
    discord: DiscordChannel = Field(default_factory=DiscordChannel)
    webhooks: tuple[WebhookChannel, ...] = Field((), description="Every listed webhook receives alerts.")

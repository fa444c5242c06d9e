"""Where market data comes from: the exchange connection, the traded pairs and the feed policy."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from galfriday.config.base import ConfigModel, HttpUrl, OptionalSecret, enforce, rule, url_with_scheme

_PAIR = re.compile(r"^[A-Z0-9.]{1,12}/[A-Z0-9.]{1,12}$")

DEFAULT_PAIRS: tuple[str, ...] = ("XRP/USD", "DOGE/USD")


def _check_pair(value: str) -> str:
    if not _PAIR.match(value):
        raise ValueError("must be an upper-case pair in WS v2 form BASE/QUOTE, e.g. 'XRP/USD'")
    return value


Pair = Annotated[str, AfterValidator(_check_pair)]
"""A Kraken WS v2 symbol such as ``XRP/USD``; REST names are derived from AssetPairs, not typed here."""


def check_unique_pairs(pairs: tuple[str, ...]) -> tuple[str, ...]:
    """Refuse duplicates: two strategies on one pair would double every order and exposure."""
    duplicates = sorted({p for p in pairs if pairs.count(p) > 1})
    if duplicates:
        raise ValueError(f"lists {', '.join(duplicates)} more than once")
    return pairs


WsUrl = Annotated[str, AfterValidator(url_with_scheme("ws", "wss"))]


class ExchangeSettings(ConfigModel):
    """Connection to Kraken. Keys are optional in paper mode and required in live mode."""

    name: Literal["kraken"] = Field("kraken", description="Exchange adapter; only Kraken spot is supported.")
    api_key: OptionalSecret = Field(None, description="Kraken API key; use ${KRAKEN_API_KEY}.")
    api_secret: OptionalSecret = Field(
        None, description="Kraken API secret (base64); use ${KRAKEN_API_SECRET}."
    )
    rest_url: HttpUrl = Field("https://api.kraken.com", description="REST base URL.")
    ws_public_url: WsUrl = Field("wss://ws.kraken.com/v2", description="WebSocket v2 public endpoint.")
    ws_private_url: WsUrl = Field("wss://ws-auth.kraken.com/v2", description="WebSocket v2 private endpoint.")
    api_tier: Literal["starter", "intermediate", "pro"] = Field(
        "starter", description="Account verification tier; sets the rate-limit counters modelled client side."
    )
    request_timeout_s: float = Field(10.0, gt=0, le=120, description="Timeout of one REST request.")
    nonce_file: Path = Field(
        Path("var/kraken.nonce"),
        description="Persists the last nonce so it keeps increasing across restarts.",
    )


class MarketDataSettings(ConfigModel):
    """Order-book and bar feed, reconnection and the staleness that triggers HALT."""

    book_depth: Literal[10, 25, 100, 500, 1000] = Field(10, description="WS v2 book subscription depth.")
    bar_interval_s: int = Field(
        60,
        ge=1,
        le=86_400,
        description="Bar length built from trades; must divide a day so bars align to UTC.",
    )
    empty_bar_policy: Literal["skip", "carry_forward"] = Field(
        "skip", description="A bar interval without trades: emit nothing, or a flat bar at the last close."
    )
    reconnect_initial_s: float = Field(1.0, gt=0, description="First reconnect delay; doubles each attempt.")
    reconnect_max_s: float = Field(60.0, gt=0, description="Upper bound of the reconnect delay.")
    heartbeat_timeout_s: float = Field(
        15.0, gt=0, description="Silence after which the socket is reconnected."
    )
    stale_after_s: float = Field(60.0, gt=0, description="No book update for a pair this long → HALT.")
    bar_close_grace_ms: int = Field(
        1000,
        ge=0,
        description="A bar closes this long after its boundary, so trades still in flight are in it; "
        "capped at half a bar.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        enforce(
            rule(
                86_400 % self.bar_interval_s == 0,
                "bar_interval_s",
                "must divide 86400 (one day) so bars start at the same UTC times every day",
                self.bar_interval_s,
            ),
            rule(
                self.reconnect_initial_s <= self.reconnect_max_s,
                "reconnect_initial_s",
                f"must not exceed reconnect_max_s ({self.reconnect_max_s})",
                self.reconnect_initial_s,
            ),
            rule(
                self.heartbeat_timeout_s <= self.stale_after_s,
                "heartbeat_timeout_s",
                f"must not exceed stale_after_s ({self.stale_after_s}) so a reconnect is tried before HALT",
                self.heartbeat_timeout_s,
            ),
        )
        return self

"""WebSocket tokens from ``GetWebSocketsToken``: who a private WS request acts for.

Kraken's rule: a token must be used within 15 minutes of being issued; once it has been used on
a private connection it does not expire. A token names one API key (account); unknown or expired
tokens get ``ESession:Invalid session``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

NS_PER_S = 1_000_000_000


@dataclass(slots=True)
class _Token:
    api_key: str
    issued_ns: int
    used: bool = False


class TokenRegistry:
    def __init__(self, ttl_s: float, wall_ns: Callable[[], int]) -> None:
        self.ttl_ns = int(ttl_s * NS_PER_S)
        self._wall_ns = wall_ns
        self._tokens: dict[str, _Token] = {}

    def issue(self, api_key: str) -> str:
        self._drop_expired()
        token = secrets.token_urlsafe(30)
        self._tokens[token] = _Token(api_key, self._wall_ns())
        return token

    def use(self, token: str) -> str | None:
        """The API key ``token`` stands for (marking it used), or None if unknown or expired."""
        entry = self._tokens.get(token)
        if entry is None or (not entry.used and self._wall_ns() - entry.issued_ns > self.ttl_ns):
            return None
        entry.used = True
        return entry.api_key

    def _drop_expired(self) -> None:
        now = self._wall_ns()
        for token in [t for t, e in self._tokens.items() if not e.used and now - e.issued_ns > self.ttl_ns]:
            del self._tokens[token]

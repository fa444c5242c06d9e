"""The aiohttp session a Kraken REST client uses: created lazily and closed by the client, or lent
by the caller (tests, a shared pool) and then left open for its owner to close."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType

import aiohttp


class HttpSessionOwner:
    """Base for clients: owns or borrows one session; ``async with client`` closes what it owns."""

    def __init__(
        self,
        session: aiohttp.ClientSession | None,
        *,
        timeout_s: float,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._session = session
        self._owns_session = session is None
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session_headers = dict(headers or {})

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=self._session_headers)
        return self._session

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self):  # type: ignore[no-untyped-def]  # returns the subclass
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

"""The reconnect loop both Kraken WebSocket clients (public and private) run.

A subclass serves one connection at a time in ``_serve_one_connection`` (returning why it ended)
and owns ``_policy`` (the backoff), ``_rng``, ``_attempt``, ``_stats``, ``_closing`` and
``_closed``; this loop reconnects after any failure with the policy's delay until ``close()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)


class ReconnectingWsClient:
    #: what the log says after "reconnecting in N s" (e.g. why the next connection differs)
    RECONNECT_NOTE = ""
    #: the client's name in log lines
    LABEL = "Kraken WS"

    _session: aiohttp.ClientSession | None
    _policy: Any
    _rng: Any
    _attempt: int
    _stats: dict[str, int]
    _closing: bool
    _closed: asyncio.Event

    async def _serve_one_connection(self, session: aiohttp.ClientSession) -> str:
        raise NotImplementedError

    async def run(self) -> None:
        """Connect and serve until ``close()``; reconnect after any failure, backing off."""
        owns_session = self._session is None
        session = self._session or aiohttp.ClientSession()
        try:
            while not self._closing:
                reason = await self._serve_one_connection(session)
                if self._closing:
                    break
                delay = self._policy.delay(self._attempt, self._rng())
                self._attempt += 1
                self._stats["reconnects"] += 1
                logger.warning(
                    "%s: %s; reconnecting in %.2fs%s", self.LABEL, reason, delay, self.RECONNECT_NOTE
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closed.wait(), timeout=delay)
        finally:
            if owns_session:
                await session.close()

"""``ApiServer``: serve the control API with uvicorn on the session's own event loop.

Running in the same loop as the trading kernel is what lets the routes call the HALT coordinator
and read the portfolio without locks. Signal handling stays with the runtime (uvicorn would
otherwise take SIGINT/SIGTERM for itself), and uvicorn's logging setup is not applied, so its
lines go through Gal-Friday's redacting sinks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI

from galfriday.core.errors import GalFridayError

logger = logging.getLogger(__name__)


class ApiServerError(GalFridayError):
    """The control API could not start."""


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the runtime owns the process's signals


class ApiServer:
    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 8080) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, lifespan="off")
        self._server = _EmbeddedServer(config)
        self._host = host
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        """The bound port (the real one when constructed with port 0)."""
        servers = getattr(self._server, "servers", None) or []
        for server in servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return self._server.config.port

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self._host in ("0.0.0.0", "::") else self._host
        return f"http://{host}:{self.port}"

    async def start(self, timeout_s: float = 10.0) -> None:
        """Start serving; returns once the socket is bound (raises ``ApiServerError`` otherwise)."""
        self._task = asyncio.get_running_loop().create_task(self._serve(), name="control-api")
        deadline = asyncio.get_running_loop().time() + timeout_s
        while not self._server.started:
            if self._task.done() or asyncio.get_running_loop().time() > deadline:
                await self.stop()
                raise ApiServerError(
                    f"the control API could not listen on {self._host}:{self._server.config.port}: "
                    "is another galfriday running? Change dashboard.host/port or stop the other process"
                )
            await asyncio.sleep(0.01)
        logger.info("control API listening on %s", self.url)

    async def _serve(self) -> None:
        with contextlib.suppress(SystemExit):  # uvicorn exits the "process" when it cannot bind
            await self._server.serve()

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

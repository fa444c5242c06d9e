"""Real local servers the alert channels talk to: an aiohttp capture server and an SMTP server.

Both listen on 127.0.0.1 on a free port and record what they receive, so a test asserts on the
exact bytes a channel sent over a real socket.
"""

from __future__ import annotations

import json
import socket
from collections import deque
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

LOCALHOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCALHOST, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Captured:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}


class CaptureServer:
    """Answers every request with the next scripted response for its path (default 200 ``ok``)."""

    def __init__(self) -> None:
        self.requests: list[Captured] = []
        self._scripts: dict[str, deque[tuple[int, str, dict[str, str]]]] = {}
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def script(self, path: str, *responses: tuple[int, str] | tuple[int, str, dict[str, str]]) -> None:
        self._scripts[path] = deque((r[0], r[1], r[2] if len(r) > 2 else {}) for r in responses)  # type: ignore[misc]

    def received(self, path: str) -> list[Captured]:
        return [r for r in self.requests if r.path == path]

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append(
            Captured(request.method, request.path, dict(request.headers), await request.read())
        )
        script = self._scripts.get(request.path)
        status, text, headers = script.popleft() if script else (200, "ok", {})
        return web.Response(status=status, text=text, headers=headers)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, LOCALHOST, 0).start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


class _MailHandler:
    def __init__(self) -> None:
        self.messages: list[tuple[Envelope, Message]] = []

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.messages.append((envelope, message_from_bytes(envelope.content)))  # type: ignore[arg-type]
        return "250 Message accepted"


class SmtpServer:
    """aiosmtpd on a free local port; with ``password`` it requires AUTH (over plain TCP, for tests)."""

    def __init__(self, user: str | None = None, password: str | None = None) -> None:
        self.handler = _MailHandler()
        self.port = free_port()
        self._credentials = (user, password)
        options: dict[str, Any] = {}
        if password is not None:
            options = {"authenticator": self._authenticate, "auth_required": True, "auth_require_tls": False}
        self._controller = Controller(self.handler, hostname=LOCALHOST, port=self.port, **options)

    def _authenticate(
        self, server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and (data.login.decode(), data.password.decode()) == self._credentials
        )
        return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself

    @property
    def messages(self) -> list[tuple[Envelope, Message]]:
        return self.handler.messages

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

"""ApiServer: uvicorn on the session's own loop, on a random local port."""

from __future__ import annotations

import httpx
import pytest

from galfriday.app.api import ApiServer, ApiServerError
from tests.unit.app.api._kit import AUTH, Session


async def test_serves_the_api_on_the_running_loop() -> None:
    session = Session()
    server = ApiServer(session.app(), "127.0.0.1", 0)
    await server.start()
    try:
        assert server.port > 0 and server.url == f"http://127.0.0.1:{server.port}"
        async with httpx.AsyncClient(base_url=server.url) as client:
            assert (await client.get("/health/live")).json() == {"status": "alive"}
            assert (await client.get("/api/status")).status_code == 401
            assert (await client.get("/api/status", headers=AUTH)).json()["mode"] == "paper"
            halted = await client.post("/api/halt", json={"reason": "over http", "by": "alice"}, headers=AUTH)
            assert halted.status_code == 200
        assert session.halt.current is not None  # the route ran on this loop, against this session
    finally:
        await server.stop()


async def test_a_port_in_use_is_a_clear_error() -> None:
    first = ApiServer(Session().app(), "127.0.0.1", 0)
    await first.start()
    try:
        second = ApiServer(Session().app(), "127.0.0.1", first.port)
        with pytest.raises(ApiServerError, match="another galfriday"):
            await second.start()
    finally:
        await first.stop()
